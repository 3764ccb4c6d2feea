#!/usr/bin/env bash
# One budget across gateway nodes, on loopback, in one run (issue 6):
#
#   bench/cluster.sh              # full run: about 3 minutes on a 2-core machine (plus the build)
#   QUICK=1 bench/cluster.sh      # smoke run: 1 run each, short phases, about 1 minute
#
# 1. A 3-member etcd cluster on free loopback ports (static initial cluster, data in a temporary
#    directory, etcd's default heartbeat and election settings).
# 2. Grants: EtcdGrantBench opens real EtcdBudgetStores (each with its own ledger, fsynced) against
#    it and measures grants/s and grant latency p50/p99 for one node with one account, one node
#    with GRANT_ACCOUNTS accounts on as many tenant paths, and 3 nodes contending on one tenant
#    path (conflicts retried); and, as the floor, one bare etcd compare-and-swap at a time.
# 3. Egress: `sluice run` gateways on the etcd store (prefix /sluice/bench, node ids bench-a,
#    bench-b, bench-c, each with its own data_dir and ledger), each with a tcp listener
#    (`egress: upstream`) into one shared TcpSink; every connection is charged to the same tenant
#    (one budget, a cap far above what the run sends). Node bench-a is started and warmed up
#    alone, then bench-b and bench-c; then 1-node runs (all CLIENTS connections to one node, the
#    node rotating) alternate with 3-node runs (the connections spread over the three nodes), RUNS
#    of each, every run CLIENTS x CONN_BYTES from one ParallelBlast client. Idle nodes stay up
#    during 1-node runs. Gateway CPU (utime+stime of the three JVMs) is taken around each run.
# It prints a Markdown table (grants/s, grant p50/p99, 1-node and 3-node MiB/s, their ratio, the
# nodes' sluice_store_grant_seconds and sluice_store_conflicts_retried_total from /metrics) and
# the raw samples, checks that the shared tenant counter in etcd holds every node's grants,
# writes them to OUT_DIR, and verifies every node's ledger at the end.
#
# Settings (environment, defaults in brackets):
#   RUNS [5, QUICK 1]                 measured runs of each of 1 node and 3 nodes
#   CLIENTS [6]                       connections per egress run (spread over the nodes)
#   CONN_BYTES [536870912, QUICK 134217728]   bytes per connection per run
#   GRANT_SECONDS [15, QUICK 4] GRANT_WARMUP [5, QUICK 2]   grant benchmark phases per scenario
#   GRANT_ACCOUNTS [16]               accounts of the one-node, many-paths scenario
#   OUT_DIR [sluice-bench/target/cluster]   results: cluster-STAMP.{md,tsv}
#   SKIP_BUILD [0]                    1: use the jars already built
#   SLUICE_JAVA_OPTS []               extra JVM options for the gateways (none: not tuned)
#
# Installs etcd-server with apt-get when /usr/bin/etcd is missing (needs root). Needs no stdin.
# Everything it starts it stops by PID, also when interrupted; it only uses 127.0.0.1. On a
# machine with fewer cores than gateways, nodes, clients, sink and etcd share the cores: the
# 3-node/1-node ratio then measures how the work divides over shared cores, not scale-out.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  RUNS=${RUNS:-1}; CONN_BYTES=${CONN_BYTES:-134217728}
  GRANT_SECONDS=${GRANT_SECONDS:-4}; GRANT_WARMUP=${GRANT_WARMUP:-2}
fi
RUNS=${RUNS:-5}
CLIENTS=${CLIENTS:-6}
CONN_BYTES=${CONN_BYTES:-536870912}
GRANT_SECONDS=${GRANT_SECONDS:-15}
GRANT_WARMUP=${GRANT_WARMUP:-5}
GRANT_ACCOUNTS=${GRANT_ACCOUNTS:-16}
OUT_DIR=${OUT_DIR:-$root/sluice-bench/target/cluster}
SKIP_BUILD=${SKIP_BUILD:-0}
NODES=(a b c)
PREFIX=/sluice/bench
LOG_TAG=cluster
# shellcheck source=bench/lib/procs.sh
. "$root/bench/lib/procs.sh"

ensure_etcd
build_jars
work=$(mktemp -d /tmp/sluice-cluster.XXXXXX)

read -r E0C E0P E1C E1P E2C E2P SINK_PORT \
  <<<"$(java -cp "$bench_jar" dev.sluice.bench.FreePorts 7 | tr '\n' ' ')"
ETCD_CLIENT=("$E0C" "$E1C" "$E2C")
ETCD_PEER=("$E0P" "$E1P" "$E2P")

# ---- a 3-member etcd cluster ----------------------------------------------------------------
endpoints=()
for i in 0 1 2; do endpoints+=("http://127.0.0.1:${ETCD_CLIENT[i]}"); etcd_start "$i"; done
for i in 0 1 2; do etcd_await "$i"; done
log "etcd: 3 members healthy at ${endpoints[*]}"

started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- grants/s against the cluster -----------------------------------------------------------
grants="$work/grants.tsv"
log "grants: scenarios txn, one, many ($GRANT_ACCOUNTS accounts), contended (3 nodes); ${GRANT_WARMUP}s warm-up + ${GRANT_SECONDS}s each"
run timeout $((4 * (GRANT_WARMUP + GRANT_SECONDS + 60))) \
  java -cp "$bench_jar" dev.sluice.bench.EtcdGrantBench --accounts "$GRANT_ACCOUNTS" --nodes 3 \
  --warmup-s "$GRANT_WARMUP" --seconds "$GRANT_SECONDS" --dir "$work/grant-ledgers" "${endpoints[@]}" \
  >"$grants" 2>"$work/grants.err" || { cat "$work/grants.err" >&2; die "EtcdGrantBench failed"; }
grep '^grants [a-z]*:' "$work/grants.err" | sed 's/^/  /' >&2 || true
g() { awk -F'\t' -v s="$1" -v m="$2" '$2 == s && $3 == m {print $4}' "$grants"; }

# ---- gateways on the etcd store, one shared sink --------------------------------------------
java -cp "$bench_jar" dev.sluice.bench.TcpSink "$SINK_PORT" </dev/null >"$work/sink.log" 2>&1 &
sink_pid=$!; pids+=($sink_pid); wait_port "$SINK_PORT" "sink" "$sink_pid"

etcd_list=$(printf '"%s", ' "${endpoints[@]}"); etcd_list="[ ${etcd_list%, } ]"
declare -A NODE_PID NODE_TCP NODE_ADMIN
start_node() { # a | b | c
  local n=$1 dir="$work/node-$1"
  mkdir -p "$dir"
  cat >"$dir/sluice.yaml" <<CONF
site: bench
model: { name: m, weight_bytes: 810GB }
data_dir: $dir/data
node_id: bench-$n
store: { type: etcd, endpoints: $etcd_list, prefix: $PREFIX }
budgets:
  limits: [ { window: day, cap: 1000TB } ]
  zones:
    inference:
      tenants:
        default: { limits: [ { window: day, cap: 1000TB } ] }
listeners:
  - { name: bulk, mode: tcp, bind: "127.0.0.1:0", upstream: "127.0.0.1:$SINK_PORT", zone: inference, egress: upstream }
admin: { bind: "127.0.0.1:0" }
CONF
  # shellcheck disable=SC2086
  java ${SLUICE_JAVA_OPTS:-} -jar "$sluice_jar" run --config "$dir/sluice.yaml" \
    --ready-file "$dir/ready.json" --drain-timeout 5s </dev/null \
    >"$dir/sluice.out" 2>"$dir/sluice.err" &
  NODE_PID[$n]=$!; pids+=("${NODE_PID[$n]}")
}
await_node() { # a node that exits at start (etcd slow to answer on a busy machine) gets 3 tries
  local n=$1 dir="$work/node-$1" try=1
  for _ in $(seq 300); do
    [ -f "$dir/ready.json" ] && break
    if ! kill -0 "${NODE_PID[$n]}" 2>/dev/null; then
      wait "${NODE_PID[$n]}" 2>/dev/null || true
      forget_pid "${NODE_PID[$n]}"
      [ "$try" -lt 3 ] || { cat "$dir/sluice.err" >&2; die "node $n exited at start, 3 times"; }
      log "node bench-$n exited at start (try $try): $(tail -1 "$dir/sluice.err")"
      try=$((try + 1))
      start_node "$n"
    fi
    sleep 0.2
  done
  [ -f "$dir/ready.json" ] || { cat "$dir/sluice.err" >&2; die "node $n did not get ready"; }
  NODE_TCP[$n]=$(sed -n 's/.*"bulk":"\(127\.0\.0\.1:[0-9]*\)".*/\1/p' "$dir/ready.json")
  NODE_ADMIN[$n]=$(sed -n 's/.*"admin":"\(127\.0\.0\.1:[0-9]*\)".*/\1/p' "$dir/ready.json")
  [ -n "${NODE_TCP[$n]}" ] && [ -n "${NODE_ADMIN[$n]}" ] || die "ports not in $dir/ready.json"
  log "node bench-$n ready: tcp ${NODE_TCP[$n]}, admin ${NODE_ADMIN[$n]}"
}

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { # utime+stime of the running gateways (fields 14 and 15 of /proc/PID/stat)
  local t=0 n v
  for n in "${!NODE_PID[@]}"; do
    v=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/${NODE_PID[$n]}/stat" 2>/dev/null || echo 0)
    t=$((t + v))
  done
  echo "$t"
}
samples="$work/samples.tsv"
: >"$samples"
sample() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$samples"; }
run_bytes=$((CLIENTS * CONN_BYTES))

blast() { # SETUP RUN NODE... (RUN 0: warm-up, not recorded); connections round-robin over NODEs
  local setup=$1 r=$2 targets=() i before after mibps cpu
  shift 2
  local nodes=("$@")
  for ((i = 0; i < CLIENTS; i++)); do targets+=("${NODE_TCP[${nodes[i % ${#nodes[@]}]}]}"); done
  before=$(cpu_ticks)
  run timeout 300 java -cp "$bench_jar" dev.sluice.bench.ParallelBlast "$CONN_BYTES" "${targets[@]}" \
    >"$work/client.out" 2>"$work/client.err" \
    || { cat "$work/client.err" >&2; die "ParallelBlast ($setup) failed"; }
  after=$(cpu_ticks)
  mibps=$(awk '{print $(NF-1)}' "$work/client.out")
  cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v b="$run_bytes" \
    'BEGIN {printf "%.4f", t / hz / (b / 1073741824)}')
  log "egress $setup run $r (nodes ${nodes[*]}): $mibps MiB/s, gateways $cpu CPU s/GiB"
  [ "$r" = 0 ] && return 0
  sample "$setup" "$r" mibps "$mibps"
  sample "$setup" "$r" cpu_s_per_gib "$cpu"
}

log "egress: node bench-a alone, warm-up"
start_node a; await_node a
blast 1node 0 a
log "egress: starting bench-b and bench-c"
start_node b; start_node c; await_node b; await_node c
blast 3node 0 a b c
log "egress: $RUNS x (1 node, 3 nodes), $CLIENTS connections x $CONN_BYTES bytes a run"
for r in $(seq "$RUNS"); do
  blast 1node "$r" "${NODES[$(((r - 1) % 3))]}"
  blast 3node "$r" a b c
done

# ---- the nodes' store metrics ---------------------------------------------------------------
metrics_row() { # NODE: | node | granted | mean | p50 | p99 | unavailable | conflicts |
  local n=$1
  curl -s -m 5 "http://${NODE_ADMIN[$n]}/metrics" >"$work/metrics-$n.txt" || die "no /metrics from bench-$n"
  awk -v node="bench-$n" '
    function q(p,   target, i, prev_le, prev_c) {
      target = p * count; prev_le = 0; prev_c = 0
      for (i = 1; i <= nb; i++) {
        if (cum[i] >= target) {
          if (les[i] == "+Inf") return "> " prev_le * 1000
          if (cum[i] == prev_c) return les[i] * 1000
          return sprintf("%.2f", (prev_le + (les[i] - prev_le) * (target - prev_c) / (cum[i] - prev_c)) * 1000)
        }
        prev_le = les[i]; prev_c = cum[i]
      }
      return "-"
    }
    /^sluice_store_grant_seconds_bucket\{.*outcome="granted"/ {
      le = $0; sub(/.*le="/, "", le); sub(/".*/, "", le); nb++; les[nb] = le; cum[nb] = $NF + 0
    }
    /^sluice_store_grant_seconds_count\{.*outcome="granted"/ { count = $NF + 0 }
    /^sluice_store_grant_seconds_sum\{.*outcome="granted"/ { sum = $NF + 0 }
    /^sluice_store_grant_seconds_count\{.*outcome="unavailable"/ { unavail = $NF + 0 }
    /^sluice_store_grant_seconds_count\{.*outcome="denied"/ { denied = $NF + 0 }
    /^sluice_store_conflicts_retried_total / { conflicts = $NF + 0 }
    /^sluice_egress_bytes_total\{.*listener="bulk"/ { egress = $NF + 0 }
    END {
      printf "| %s | %.2f | %d | %s | %s | %s | %d | %d | %d |\n", node, egress / 1073741824,
        count, count ? sprintf("%.2f", sum / count * 1000) : "-", count ? q(0.5) : "-",
        count ? q(0.99) : "-", denied, unavail, conflicts
    }' "$work/metrics-$n.txt"
}
metrics_table=$(
  echo "| node | egress GiB | grants | mean ms | p50 ms (from buckets) | p99 ms (from buckets) | denied | unavailable | conflicts retried |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for n in "${NODES[@]}"; do metrics_row "$n"; done
)
# One budget: the tenant's day counter in etcd, as node a reports it, holds every node's grants.
gib() { awk -v b="$1" 'BEGIN {printf "%.2f", b / 1073741824}'; }
tenant_metric() { # NAME: the tenant's day value from node a's scrape
  awk -v m="$1" 'index($0, m "{") == 1 && /node="tenant:inference\/default"/ && /window="day"/ {print $NF + 0}' \
    "$work/metrics-a.txt"
}
egress_sum=$(awk '/^sluice_egress_bytes_total\{.*listener="bulk"/ {s += $NF} END {printf "%.0f", s}' \
  "$work"/metrics-[abc].txt)
spent=$(tenant_metric sluice_budget_spent_bytes)
budget_check=$(awk -v s="${spent:-0}" -v e="$egress_sum" 'BEGIN {print (e > 0 && s >= e) ? "OK" : "FAIL"}')
one_budget="The three nodes sent $(gib "$egress_sum") GiB in all; the shared day counter of"
one_budget+=" tenant:inference/default in etcd (from bench-a's /metrics) shows $(gib "${spent:-0}") GiB"
one_budget+=" spent: every node's grants, escrow not yet charged included (spent >= sent: $budget_check)."
log "one budget: sent $egress_sum bytes, tenant spent ${spent:-none}: $budget_check"
elapsed=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- stop the gateways, check their ledgers, report -----------------------------------------
ledgers=""
for n in "${NODES[@]}"; do
  stop_pid "${NODE_PID[$n]}"; forget_pid "${NODE_PID[$n]}"
  v=$(java -jar "$sluice_jar" ledger verify "$work/node-$n/data" 2>&1 | grep -oE "^(OK|FAIL)" || true)
  ledgers+="bench-$n ${v:-no result}; "
done
ledgers=${ledgers%; }
log "ledger verify: $ledgers"

median() { sort -g | awk '{a[NR] = $1} END {if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
col() { awk -F'\t' -v s="$1" -v m="$2" '$1 == s && $3 == m {print $4}' "$samples"; }
one=$(col 1node mibps | median); three=$(col 3node mibps | median)
one_cpu=$(col 1node cpu_s_per_gib | median); three_cpu=$(col 3node cpu_s_per_gib | median)
ratio=$(awk -v a="$three" -v b="$one" 'BEGIN {printf "%.2f", a / b}')
raw1=$(col 1node mibps | tr '\n' ' ' | sed 's/ $//; s/ /, /g')
raw3=$(col 3node mibps | tr '\n' ' ' | sed 's/ $//; s/ /, /g')
f0() { awk -v v="$1" 'BEGIN {printf "%.0f", v}'; }
f2() { awk -v v="$1" 'BEGIN {printf "%.2f", v}'; }
ncpu=$(nproc)
share_note="$ncpu CPUs shared by the 3 gateways, the client, the sink and 3 etcd members"

table=$(
  echo "| figure | value |"
  echo "|---|---:|"
  echo "| etcd alone: one compare-and-swap transaction at a time, p50 / p99 | $(f2 "$(g txn p50_ms)") / $(f2 "$(g txn p99_ms)") ms ($(f0 "$(g txn grants_per_s)")/s) |"
  echo "| grants/s, 1 node, 1 account (one grant in flight) | $(f0 "$(g one grants_per_s)") |"
  echo "| grant latency p50 / p99, 1 node, 1 account | $(f2 "$(g one p50_ms)") / $(f2 "$(g one p99_ms)") ms |"
  echo "| grants/s, 1 node, $GRANT_ACCOUNTS accounts on $GRANT_ACCOUNTS tenant paths | $(f0 "$(g many grants_per_s)") |"
  echo "| grant latency p50 / p99, 1 node, $GRANT_ACCOUNTS accounts (includes the wait behind the node's other grants) | $(f2 "$(g many p50_ms)") / $(f2 "$(g many p99_ms)") ms |"
  echo "| grants/s, 3 nodes contending on 1 tenant path (sum) | $(f0 "$(g contended grants_per_s)") |"
  echo "| grant latency p50 / p99, contended | $(f2 "$(g contended p50_ms)") / $(f2 "$(g contended p99_ms)") ms |"
  echo "| conflicts retried, contended | $(g contended conflicts_retried) ($(f2 "$(g contended conflicts_per_grant)") per grant); $(g contended unavailable) grants unavailable |"
  echo "| egress, 1 node, $CLIENTS connections (median of $RUNS) | $(f0 "$one") MiB/s |"
  echo "| egress, 3 nodes, $CLIENTS connections spread (median of $RUNS) | $(f0 "$three") MiB/s |"
  echo "| **3-node / 1-node egress** ($share_note) | **$ratio** |"
  echo "| gateway CPU per GiB, 1 node / 3 nodes | $(f2 "$one_cpu") / $(f2 "$three_cpu") CPU s |"
)
grant_table=$(
  echo "| scenario | nodes | accounts | grants/s | p50 ms | p90 ms | p99 ms | max ms | conflicts retried | per grant | denied | unavailable |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in txn one many contended; do
    echo "| $s | $(g "$s" nodes) | $(g "$s" accounts) | $(f0 "$(g "$s" grants_per_s)") | $(f2 "$(g "$s" p50_ms)") | $(f2 "$(g "$s" p90_ms)") | $(f2 "$(g "$s" p99_ms)") | $(f2 "$(g "$s" max_ms)") | $(g "$s" conflicts_retried) | $(f2 "$(g "$s" conflicts_per_grant)") | $(g "$s" denied) | $(g "$s" unavailable) |"
  done
)

mkdir -p "$OUT_DIR"
stamp=$(date -u +%Y%m%d-%H%M%S)
out="$OUT_DIR/cluster-$stamp"
cat "$grants" "$samples" >"$out.tsv"
report=$(
  echo "$table"
  echo
  echo "Grant benchmark (EtcdGrantBench, ${GRANT_WARMUP}s warm-up, ${GRANT_SECONDS}s measured per scenario):"
  echo
  echo "$grant_table"
  echo
  echo "Egress samples (MiB/s, in run order): 1 node $raw1; 3 nodes $raw3."
  echo
  echo "Grants of the gateways from their /metrics (whole egress phase, warm-ups included):"
  echo
  echo "$metrics_table"
  echo
  echo "$one_budget"
)
{
  echo "# bench/cluster.sh, $stamp UTC"
  echo
  echo "Host: $ncpu CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r);" \
    "$(java -version 2>&1 | head -1); etcd $("$ETCD" --version 2>/dev/null | awk '/etcd Version/ {print $3}')."
  echo "Settings: RUNS=$RUNS CLIENTS=$CLIENTS CONN_BYTES=$CONN_BYTES GRANT_SECONDS=$GRANT_SECONDS" \
    "GRANT_WARMUP=$GRANT_WARMUP GRANT_ACCOUNTS=$GRANT_ACCOUNTS QUICK=$QUICK."
  echo "Measured for ${elapsed}s; load average (1, 5, 15 min) before $load_before, after $load_after;" \
    "ledger verify: $ledgers."
  echo
  echo "$report"
  echo
  echo "Gateway configuration (bench-a; b and c differ in node_id and data_dir):"
  echo
  echo '```'; sed "s|$work|\$WORK|g" "$work/node-a/sluice.yaml"; echo '```'
} >"$out.md"
echo
echo "$report"
echo
log "results: $out.md, samples: $out.tsv"
