# The shell-test harness: finish() fails a test in which no check ran, and every test of
# the build is registered with ctest's SKIP_RETURN_CODE 77 (a skip is reported as skipped,
# never as passed). $1 = landsym binary (its directory is the build), $2 = source dir.
. "$(dirname "$0")/cli_lib.sh" "$@"
(pass=0 fail=0; finish >/dev/null)
rc=$?
eq "$rc" 1 "finish with no check run fails"
ctf=$(dirname "$BIN")/CTestTestfile.cmake
for t in test_sweep_mpi test_mnist_cli test_path test_grad_fd; do
  grep -q "add_test(\[=\[$t\]=\]\|add_test($t " "$ctf" || { ko "$t is not registered in $ctf"; continue; }
  flag $(grep -A3 "set_tests_properties(\[=\[$t\]=\]\|set_tests_properties($t " "$ctf" | grep -q 'SKIP_RETURN_CODE "77"' && echo 1) "$t: SKIP_RETURN_CODE 77"
done
finish
