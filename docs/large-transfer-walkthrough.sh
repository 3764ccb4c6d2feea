#!/usr/bin/env bash
# The large-transfer walk-through of docs/change-control.md: a real node with max_transfer, a real
# upstream (python3 -m http.server) and curl; prints each command and its output.
# Build first: bin/sluice --version. Ports: 18081 (gateway), 18001 (upstream), 19902 (admin).
set -u
JAR="$(cd "$(dirname "$0")/.." && pwd)/sluice-app/target/sluice.jar"
dir=$(mktemp -d) && cd "$dir"
sluice() { java -jar $JAR "$@"; }
run() { echo "\$ $*"; "$@" 2>&1; echo "(exit $?)"; echo; }
pull() {  # curl through the gateway as tenant notebooks; prints status and size
  echo "\$ curl -s -H 'X-Tenant: notebooks' -o out.bin -w '%{http_code} %{size_download} bytes\n' http://127.0.0.1:18081$1"
  curl -s -H 'X-Tenant: notebooks' -o out.bin -w '%{http_code} %{size_download} bytes\n' "http://127.0.0.1:18081$1"
  echo
}
start() {
  java -jar $JAR run --config sluice.yaml >> run.log 2>&1 &
  PID=$!
  for i in $(seq 150); do [ "$(grep -c 'admin API  ' run.log)" -ge "$1" ] && break; sleep 0.2; done
}
mkdir -p www/logs
head -c 73400320 /dev/zero > www/logs/server-2026-12-05.log   # 70 MiB
head -c 1048576 /dev/zero > www/logs/small.log
(cd www && exec python3 -m http.server 18001 --bind 127.0.0.1 > ../upstream.log 2>&1) &
UP=$!
run sluice operator keygen --name alice --out keys
run sluice operator keygen --name bob --out keys
cat > sluice.yaml <<YAML
site: demo
model: { name: demo-model, weight_bytes: 810GB }
data_dir: ./sluice-data
budgets:
  limits: [ { window: day, cap: 1% weights } ]
  zones:
    employees:
      max_transfer: 50MB
      limits: [ { window: day, cap: 1GB } ]
      tenants:
        notebooks: { limits: [ { window: day, cap: 500MB } ] }
listeners:
  - { name: logs, mode: reverse, bind: 127.0.0.1:18081, upstream: http://127.0.0.1:18001, zone: employees, tenant_header: X-Tenant }
admin:
  bind: 127.0.0.1:19902
change_control:
  operators:
    alice: "$(cat keys/alice.pub)"
    bob: "$(cat keys/bob.pub)"
  approvals: 2
YAML
echo "\$ grep -A2 employees: sluice.yaml"; grep -A2 "employees:" sluice.yaml; echo
start 1
pull /logs/small.log
pull /logs/server-2026-12-05.log
echo "\$ curl -s -H 'X-Tenant: notebooks' http://127.0.0.1:18081/logs/server-2026-12-05.log"
curl -s -H 'X-Tenant: notebooks' http://127.0.0.1:18081/logs/server-2026-12-05.log | fold -w 100; echo; echo
run sluice change approve-transfer --config sluice.yaml --tenant notebooks --destination '/logs/*' --size 100MB --expires 1h --key keys/alice.key --out alice.approval
run cat alice.approval
run sluice transfer allow --config sluice.yaml --approval alice.approval
run sluice change approve-transfer --config sluice.yaml --tenant notebooks --destination '/logs/*' --size 100MB --expires 1h --key keys/bob.key --out bob.approval
run sluice transfer allow --config sluice.yaml --approval alice.approval --approval bob.approval
pull /logs/server-2026-12-05.log
echo "\$ curl -s http://127.0.0.1:19902/metrics | grep transfer_too_large"
curl -s http://127.0.0.1:19902/metrics | grep 'transfer_too_large'; echo
echo "\$ cat sluice-data/transfers | cut -c1-150"; cut -c1-150 sluice-data/transfers; echo
echo "\$ kill -TERM <pid of sluice run>; sluice run --config sluice.yaml   # a restart"
kill -TERM $PID; wait $PID; start 2
grep "approved transfer" run.log | sed 's/^\[[^]]*\] //'; echo
pull /logs/server-2026-12-05.log
kill -TERM $PID; wait $PID
echo "\$ sluice ledger tail -n 60 sluice-data | grep -E ' change | deny '"
sluice ledger tail -n 60 sluice-data | grep -E " change | deny " | cut -c1-200; echo
run sluice ledger verify sluice-data
kill $UP
