# landsym channel and GLU networks on the command line: a run of the thesis toy (table 6.1,
# seed 3) sitting in a channel to infinity is certified, its limit network (one GLU unit)
# is written and loads back as a student whose loss is the limit's; the continuation's
# figure is drawn; a GLU student trains and evaluates; bad input is refused.
. "$(dirname "$0")/cli_lib.sh" "$@"

cfg=$SRC/examples/table6_1.json
# seed 3 of `landsym sweep --config examples/table6_1.json` (units 1 and 3: a = 45.3, -45.7)
cat > "$T/s3.json" <<'P'
[0.9226427732698531, 1.5676779425471588, -1.343851563998598, 0.8589606859766244,
 -0.8149195456896297, -0.5967524563722263, -1.3385207604165115, 0.8563613924010455,
 0.10959158655400701, -0.023278956220428526, -0.07076436263438664, 45.28277314988425,
 -0.5479376213413266, -45.67286541588763, 1.0087927928557787]
P
"$BIN" channel --config "$cfg" --params "$T/s3.json" --out "$T/ch" --json > "$T/ch.json"
status $? "channel exits 0"
eq "$(num "$T/ch.json" "['found']")" True "seed 3 is a channel"
eq "$(num "$T/ch.json" "['at_infinity']")" minimum "a minimum at infinity"
eq "$(num "$T/ch.json" "['groups_string']")" "L1:1+3+" "the pair is units 1 and 3"
flag "$(lt "$(num "$T/ch.json" "['limit_loss']")" "$(num "$T/ch.json" "['loss']")" && echo 1)" \
  "limit loss below the run's"
flag "$(lt "$(num "$T/ch.json" "['limit_grad_inf']")" 1e-12 && echo 1)" "limit polished to a gradient below 1e-12"
eq "$(num "$T/ch.json" "['flow_monotone']")" True "continuation: loss monotone"
flag "$(lt "$(num "$T/ch.json" "['flow_loss_end'] - d['limit_loss']")" \
            "$(num "$T/ch.json" "['loss'] - d['limit_loss']")" && echo 1)" \
  "continuation ends closer to the limit's loss than it started"
for f in channel_flow.png channel_flow.svg channel_weights.png channel_flow.gp limit.json limit.npy; do
  check "wrote $f" test -s "$T/ch/$f"
done
# the limit network as a student: its loss is the limit's
python3 - "$T" "$cfg" <<'PY'
import json, sys
t, cfg = sys.argv[1], sys.argv[2]
c = json.load(open(cfg))
s = json.load(open(t + "/ch/limit.json"))
s.pop("params_file")
c["student"] = s
c.pop("sweep", None)
json.dump(c, open(t + "/limit_cfg.json", "w"))
PY
"$BIN" eval --config "$T/limit_cfg.json" --params "$T/ch/limit.npy" --json > "$T/ev.json"
status $? "eval of the limit network (GLU) exits 0"
flag "$(python3 -c "
import json; a=json.load(open('$T/ev.json'))['loss']; b=json.load(open('$T/ch.json'))['limit_loss']
print(1 if abs(a-b) <= 1e-14*b else 0)")" "eval's loss of the limit network = the limit's loss"
eq "$(num "$T/ev.json" "['student']")" "2-4-1 sigmoid/identity glu1=1 mse" "limit network: 3 units and 1 GLU unit, no bias (no flip)"
# a GLU student trains
python3 - "$T" "$cfg" <<'PY'
import json, sys
t, cfg = sys.argv[1], sys.argv[2]
c = json.load(open(cfg))
c["student"] = {"widths": [2, 3, 1], "activation": "sigmoid", "bias": True, "glu": 1}
c["data"]["n"] = 11
c["train"] = {"method": "none", "polish": "newton", "grad_tol": 1e-12}
c.pop("sweep", None)
json.dump(c, open(t + "/glu_cfg.json", "w"))
PY
"$BIN" train --config "$T/glu_cfg.json" --seed 1 --out "$T/tr" --quiet --no-plot > "$T/tr.json"
status $? "train of a 2-3-1 student with one GLU unit exits 0"
eq "$(num "$T/tr.json" "['n_params']")" 16 "GLU student has 16 parameters"
flag "$(lt "$(num "$T/tr.json" "['grad_norm_inf']")" 1e-8 && echo 1)" "GLU student trained to a gradient below 1e-8"
# bad input
sed 's/"glu": 1/"glu": 4/' "$T/glu_cfg.json" > "$T/bad.json"
expect "glu larger than the layer" 2 "student.glu" -- eval --config "$T/bad.json"
expect "channel needs --params" 2 "--params" -- channel --config "$cfg" --out "$T/x"
expect "saddle refuses GLU networks" 2 "GLU" -- saddle --config "$T/limit_cfg.json" --params "$T/ch/limit.npy" --out "$T/e"
finish
