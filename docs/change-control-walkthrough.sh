#!/usr/bin/env bash
# The change-control walk-through of docs/change-control.md; prints each command and its output.
set -u
JAR="$(cd "$(dirname "$0")/.." && pwd)/sluice-app/target/sluice.jar"   # build: bin/sluice --version
dir=$(mktemp -d) && cd "$dir"
sluice() { java -jar $JAR "$@"; }
run() { echo "\$ $*"; "$@" 2>&1; echo "(exit $?)"; echo; }
run sluice operator keygen --name alice --out keys
run sluice operator keygen --name bob --out keys
echo "\$ ls -l keys"; ls -l keys | sed 1d | awk '{print $1, $NF}'; echo
cat > sluice.yaml <<YAML
site: demo
model: { name: demo-model, weight_bytes: 810GB }
data_dir: ./sluice-data
budgets:
  limits: [ { window: day, cap: 0.1% weights } ]
  zones:
    inference:
      limits: [ { window: day, cap: 500MB } ]
      tenants:
        default: { limits: [ { window: day, cap: 50MB } ] }
listeners:
  - { name: api, mode: reverse, bind: 127.0.0.1:18080, upstream: http://127.0.0.1:18000, zone: inference, tenant_header: X-Tenant }
admin:
  bind: 127.0.0.1:19901
change_control:
  operators:
    alice: "$(cat keys/alice.pub)"
    bob: "$(cat keys/bob.pub)"
  approvals: 2
YAML
java -jar $JAR run --config sluice.yaml > run.log 2>&1 &
PID=$!
for i in $(seq 100); do grep -q "admin API  " run.log && break; sleep 0.2; done
sed -e 's/cap: 50MB/cap: 80MB/' -e 's/^data_dir/mode: report\ndata_dir/' sluice.yaml > new.yaml
echo "\$ diff sluice.yaml new.yaml"; diff sluice.yaml new.yaml; echo
run sluice reload --config new.yaml
run sluice change approve --config new.yaml --key keys/alice.key --out alice.approval --expires 30m
run cat alice.approval
run sluice reload --config new.yaml --approval alice.approval --approval alice.approval
run sluice change approve --config new.yaml --key keys/bob.key --out bob.approval --expires 30m
run sluice reload --config new.yaml --approval alice.approval --approval bob.approval
sed -e 's/cap: 500MB/cap: 400MB/' new.yaml > tight.yaml
run sluice reload --config tight.yaml
echo "\$ kill -HUP <pid of sluice run>   # sluice.yaml raises the zone cap back to 500MB"
kill -HUP $PID; sleep 3
grep SIGHUP run.log | sed 's/^\[[^]]*\] //'; echo
run sluice halt --config tight.yaml --reason drill
run sluice resume --config tight.yaml
run sluice change approve-resume --config tight.yaml --key keys/alice.key --out r-alice.approval
run sluice change approve-resume --config tight.yaml --key keys/bob.key --out r-bob.approval
run sluice resume --config tight.yaml --approval r-alice.approval --approval r-bob.approval
run sluice ledger verify sluice-data
echo "\$ sluice ledger tail -n 40 sluice-data | grep change"
sluice ledger tail -n 40 sluice-data | grep " change " | cut -c1-220
kill $PID
