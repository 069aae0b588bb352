# Config sections that no command reads are refused by every command (exit 2, naming the
# file and the section): settings placed there would otherwise be ignored silently, against
# docs/config.md's rule that typos never pass (issue 14 item 8). A section a command does
# read still has its keys checked.
. "$(dirname "$0")/cli_lib.sh" "$@"
TOY=$SRC/examples/thesis_toy.json
for sec in output eval classify expand connect saddle locus count figures analysis; do
  python3 -c "import json; d=json.load(open('$TOY')); d['$sec']={'anything': 'junk'}; json.dump(d, open('$T/$sec.json','w'))"
  expect "section $sec with junk (eval)" 2 "$sec.json" "$sec" "no command reads" -- eval --config "$T/$sec.json" --seed 1
  expect "section $sec with junk (train)" 2 "$sec.json" "$sec" -- train --config "$T/$sec.json" --seed 1 --max-iter 2 --out "$T/t$sec" --no-plot
done
python3 -c "import json; d=json.load(open('$TOY')); d['train']={'lr_typo': 1}; json.dump(d, open('$T/tr.json','w'))"
expect "a typo in a section train reads" 2 "lr_typo" -- train --config "$T/tr.json" --seed 1 --max-iter 2 --out "$T/tt" --no-plot
expect "the plain config still loads" 0 -- eval --config "$TOY" --seed 1
finish
