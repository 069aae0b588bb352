# Shared by tests/test_sweep_*.sh: a tiny teacher-student config and small helpers.
# Usage: `. "$(dirname "$0")/sweep_lib.sh" "$@"`; TMP is cli_lib.sh's scratch directory T.
. "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@"
TMP=$T
# write_config FILE SEEDS STEPS [ACTIVATION]: thesis toy teacher (section 6.2) on a
# coarse grid, 2-w-1 students of widths 2 and 3, plain gradient descent.
write_config() {
  cat >"$1" <<JSON
{
  "data":    {"kind": "grid", "n": 9, "lo": -5, "hi": 5},
  "teacher": {"widths": [2, 4, 1], "activation": "sigmoid", "bias": false,
              "params": [0.6, 0.5, -0.5, 0.5, -0.2, -0.6, 0.1, -0.6, 1, -1, 1, -1]},
  "student": {"widths": [2, 3, 1], "activation": "${4:-sigmoid}", "bias": false},
  "train":   {"method": "gd", "lr": 0.5, "max_iter": $3, "polish": "none", "grad_tol": 1e-6},
  "sweep":   {"seeds": $2, "student_widths": [3, 2]}
}
JSON
}
# count_runs DIR: finished run records
count_runs() { ls "$1"/runs/*.json 2>/dev/null | wc -l; }
