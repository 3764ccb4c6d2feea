#!/usr/bin/env bash
# Soak: gateways under mixed traffic while faults are injected at random, then invariants (issue 15):
#
#   bench/soak.sh 30m                  # 30 minutes (also 300, 300s, 1h)
#   SEED=1234 bench/soak.sh 5m         # replay the same fault schedule and traffic choices
#   SKIP_BUILD=1 bench/soak.sh 5m      # reuse the jars already built
#
# Two sites run side by side on loopback, each with its own traffic, origin and sink:
# - local: 1 gateway node (l) on the embedded store;
# - cluster: 3 gateway nodes (a, b, c) on the etcd store of a real 3-member etcd (prefix
#   /sluice/soak), sharing every budget.
# Each node has a reverse listener (X-Tenant header), a forward listener (proxy users, CONNECT and
# absolute URIs) and a tcp listener (egress: upstream), all on fixed loopback ports so a restarted
# node comes back where its clients expect it. Tenants of zone inference, day caps: alpha, fwd
# (1000 GB: never reached), beta (CAP_BETA), gamma (CAP_GAMMA), fwdsmall (CAP_FWDSMALL), bulk
# (CAP_BULK). The small ones are exhausted within minutes, so caps are exercised under the faults.
#
# Traffic (dev.sluice.bench.soak.SoakTraffic, one process per site): WORKERS threads each loop over
# reverse known-length and SSE responses (alpha, beta, gamma), forward POSTs and CONNECT tunnels
# (fwd, fwdsmall) and tcp blasts (bulk), each to a random node of the site. It counts, per tenant,
# the bytes its egress actually delivered: what the reverse clients read (the gateway's own
# answers, 429/503, apart: they are charged to the control allowance), what the origin and sink
# received from the forward and tcp listeners.
#
# Faults, one at a time, every FAULT_INTERVAL seconds on average (uniform in [1/2, 3/2] of it), each
# held HOLD_MIN..HOLD_MAX seconds, kind and target drawn from an RNG seeded with SEED (printed):
# - kill9: kill -9 of a gateway node, then restart (waits for its readiness);
# - etcd-stop: SIGTERM to one etcd member, then restart it on its data (it rejoins);
# - disk-full: a filler file fills the node's data dir, a TMPFS_SIZE tmpfs (needs root; else the
#   kind is skipped and the table says so), then is deleted; if the node is not ready again within
#   RECOVER_SECONDS it is restarted ("recovered without restart: yes/no" in the table);
# - clock-step: the node's clock steps by +-CLOCK_STEP_MIN..CLOCK_STEP_MAX seconds, then back
#   (libfaketime: LD_PRELOAD with FAKETIME_TIMESTAMP_FILE, re-read at most every second). Both
#   System.currentTimeMillis() and System.nanoTime() step: with FAKETIME_DONT_FAKE_MONOTONIC=1
#   (wall clock only, as a real step) libfaketime 0.9.10 makes every timed wait of the JVM return
#   at once (docs/decisions/0016). The script checks first that a step reaches the clock Sluice
#   reads, dev.sluice.time.Clock.system();
# - slow-reader: a client that reads a SLOW_BYTES reverse response 1 KiB every 20 ms (runs on in
#   the background while the next faults come).
# At the end (all faults undone, traffic stopped) it checks, per site:
# (a) caps: bytes delivered per tenant <= its day cap (cluster: the one cap the 3 nodes share);
# (b) counters: the tenant's day counter (spent, from /api/budgets) >= bytes delivered;
# (c) ledgers: `sluice ledger verify` passes for every node (after a clean stop);
# (d) reconcile: `sluice ledger reconcile` of the 3 cluster ledgers against etcd matches (the local
#     store has no etcd: n/a).
# It prints a Markdown table (faults: kind, count, detail; invariants: name, held/violated, detail)
# and writes it with the raw figures to OUT_DIR; exit status 1 if an invariant is violated.
#
# Settings (environment, defaults in brackets):
#   SEED [random]                 seeds the fault schedule and the traffic's choices
#   FAULT_INTERVAL [20]           mean seconds between faults
#   HOLD_MIN [5] HOLD_MAX [15]    seconds a fault is held before it is undone
#   FAULTS [kill9 etcd-stop disk-full clock-step slow-reader]   kinds to draw from
#   CLOCK_STEP_MIN [10] CLOCK_STEP_MAX [120]   seconds of a clock step (either direction)
#   RECOVER_SECONDS [30]          bound for a node to be ready again after disk-full before restart
#   READY_SECONDS [180]           bound for a node to get ready at a start or restart (JVMs start
#                                 slowly under libfaketime and on a busy machine)
#   TMPFS_SIZE [128m]             size of each node's tmpfs data dir
#   WORKERS [3] PACE_MS [20]      client threads per site; pause after each exchange
#   CAP_BETA [20MB] CAP_GAMMA [2MB] CAP_FWDSMALL [5MB]   small day caps, reached in minutes
#   CAP_BULK [1 MB per second of DURATION]   tcp tenant's day cap, reached within the run
#   SLOW_BYTES [2MiB]             size of a slow reader's response
#   OUT_DIR [sluice-bench/target/soak]   results: soak-STAMP.md and soak-STAMP/ (raw figures)
#   SKIP_BUILD [0]                1: use the jars already built
#   SLUICE_JAVA_OPTS [-Xmx384m]   JVM options of the gateways
#   KEEP_WORK [0]                 1: keep the work directory (logs, data, ledgers)
#
# Installs etcd-server and faketime with apt-get when missing (needs root). Needs no stdin.
# Everything it starts it stops by PID, also when interrupted (tmpfs mounts are unmounted); it only
# uses 127.0.0.1. Day caps count per UTC day: it refuses to start a run that would cross midnight.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

[ $# = 1 ] || { echo "usage: bench/soak.sh DURATION (e.g. 30m, 300, 300s, 1h)" >&2; exit 2; }
case "$1" in
  *h) DURATION=$(( ${1%h} * 3600 )) ;;
  *m) DURATION=$(( ${1%m} * 60 )) ;;
  *s) DURATION=${1%s} ;;
  *) DURATION=$1 ;;
esac
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 30 ] || { echo "DURATION: at least 30 seconds (got $1)" >&2; exit 2; }

SEED=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
FAULT_INTERVAL=${FAULT_INTERVAL:-20}
HOLD_MIN=${HOLD_MIN:-5}
HOLD_MAX=${HOLD_MAX:-15}
FAULTS=${FAULTS:-kill9 etcd-stop disk-full clock-step slow-reader}
CLOCK_STEP_MIN=${CLOCK_STEP_MIN:-10}
CLOCK_STEP_MAX=${CLOCK_STEP_MAX:-120}
RECOVER_SECONDS=${RECOVER_SECONDS:-30}
READY_SECONDS=${READY_SECONDS:-180}
TMPFS_SIZE=${TMPFS_SIZE:-128m}
WORKERS=${WORKERS:-3}
PACE_MS=${PACE_MS:-20}
CAP_BETA=${CAP_BETA:-20MB}
CAP_GAMMA=${CAP_GAMMA:-2MB}
CAP_FWDSMALL=${CAP_FWDSMALL:-5MB}
CAP_BULK=${CAP_BULK:-$(( DURATION * 1000000 ))}
SLOW_BYTES=${SLOW_BYTES:-2097152}
OUT_DIR=${OUT_DIR:-$root/sluice-bench/target/soak}
SLUICE_JAVA_OPTS=${SLUICE_JAVA_OPTS:--Xmx384m}
faketime_lib() { ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1; }
FAKETIME_LIB=$(faketime_lib)
NODES=(l a b c)   # l: the local-store site; a, b, c: the etcd site
PREFIX=/sluice/soak
ZONE=inference
LOG_TAG=soak
# shellcheck source=bench/lib/procs.sh
. "$root/bench/lib/procs.sh"

# The day caps must not reset in the middle of the run: no crossing of midnight UTC, with room for
# the steps of the clock either way, the build and the checks at the end.
now_s=$(date -u +%s); day_s=$(( now_s % 86400 ))
margin=$(( CLOCK_STEP_MAX + 900 ))
if [ $(( day_s + DURATION + margin )) -ge 86400 ] || [ "$day_s" -lt "$CLOCK_STEP_MAX" ]; then
  die "a ${DURATION}s run from now would cross midnight UTC (day caps reset); start after $(date -u -d @$(( now_s - day_s + 86400 + CLOCK_STEP_MAX )) +%H:%M) UTC or shorten it"
fi

# ---- tools and jars ---------------------------------------------------------------------------
ensure_etcd
if [ -z "$FAKETIME_LIB" ]; then
  [ "$(id -u)" = 0 ] || die "libfaketime is missing; run as root to install faketime"
  log "installing faketime"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q </dev/null >&2
  apt-get install -y -q --no-install-recommends faketime </dev/null >&2
  FAKETIME_LIB=$(faketime_lib)
fi
[ -f "$FAKETIME_LIB" ] || die "no libfaketime.so.1 under /usr/lib/*/faketime/"
build_jars
work=$(mktemp -d /tmp/sluice-soak.XXXXXX)
mounts=()
cleanup_hook() { local m; for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done; }
log "seed $SEED (SEED=$SEED replays it); ${DURATION}s; faults every ~${FAULT_INTERVAL}s: $FAULTS; work in $work"
RANDOM=$SEED
R=0
rand() { R=$(( $1 + RANDOM % ($2 - $1 + 1) )); } # MIN MAX: sets R, from the seeded RNG (no subshell)

# libfaketime must move the clock Sluice reads (Clock.system()); it moves System.nanoTime() too
# (FAKETIME_DONT_FAKE_MONOTONIC=1 breaks the JVM's timed waits: decision record 0016).
faked_env() { # FILE: the environment of a process whose wall clock FILE steps (none without clock-step)
  case " $FAULTS " in *" clock-step "*) ;; *) [ "${2:-}" = probe ] || return 0 ;; esac
  echo "LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$1 FAKETIME_CACHE_DURATION=1"
}
echo "+3600" >"$work/probe.faketime"
real=$(java -cp "$bench_jar" dev.sluice.bench.soak.SoakCheck clock </dev/null)
# shellcheck disable=SC2046
faked=$(env $(faked_env "$work/probe.faketime" probe) java -cp "$bench_jar" dev.sluice.bench.soak.SoakCheck clock </dev/null)
shift_s=$(( (${faked% *} - ${real% *}) / 1000 ))
[ "$shift_s" -ge 3590 ] && [ "$shift_s" -le 3660 ] \
  || die "libfaketime does not step the JVM's Clock.system().millis() (a +3600 s step moved it ${shift_s}s)"
log "libfaketime: a +3600 s step moves Clock.system().millis() by ${shift_s}s"

# ---- ports ------------------------------------------------------------------------------------
mapfile -t P < <(java -cp "$bench_jar" dev.sluice.bench.FreePorts 26)
ETCD_CLIENT=("${P[0]}" "${P[1]}" "${P[2]}")
ETCD_PEER=("${P[3]}" "${P[4]}" "${P[5]}")
declare -A REV FWD TCP ADMIN SITE ORIGIN SINK
i=6
for n in "${NODES[@]}"; do
  REV[$n]=${P[i]}; FWD[$n]=${P[i + 1]}; TCP[$n]=${P[i + 2]}; ADMIN[$n]=${P[i + 3]}; i=$((i + 4))
done
ORIGIN[local]=${P[22]}; SINK[local]=${P[23]}; ORIGIN[cluster]=${P[24]}; SINK[cluster]=${P[25]}
SITE[l]=local; SITE[a]=cluster; SITE[b]=cluster; SITE[c]=cluster

# ---- etcd -------------------------------------------------------------------------------------
for i in 0 1 2; do etcd_start "$i"; done
for i in 0 1 2; do etcd_await "$i"; done
mapfile -t endpoints < <(etcd_endpoints)
log "etcd: 3 members healthy at ${endpoints[*]}"

# ---- gateway nodes ----------------------------------------------------------------------------
DISK_FULL=1
if [ "$(id -u)" != 0 ]; then DISK_FULL=0; log "not root: no tmpfs data dirs, fault disk-full skipped"; fi
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
etcd_list=$(printf '"%s", ' "${endpoints[@]}"); etcd_list="[ ${etcd_list%, } ]"
write_config() { # NODE
  local n=$1 dir="$work/node-$1" site=${SITE[$1]} store
  if [ "$site" = local ]; then store="{ type: local }"; else
    store="{ type: etcd, endpoints: $etcd_list, prefix: $PREFIX }"; fi
  mkdir -p "$dir/data"
  if [ "$DISK_FULL" = 1 ]; then
    mount -t tmpfs -o "size=$TMPFS_SIZE" "soak-$n" "$dir/data"; mounts+=("$dir/data")
  fi
  echo "+0" >"$dir/faketime"
  cat >"$dir/sluice.yaml" <<CONF
site: soak-$site
model: { name: m, weight_bytes: 810GB }
data_dir: $dir/data
node_id: soak-$n
store: $store
escrow: { min_chunk: 16KiB, max_chunk: 1MiB, grant_ttl: 5s }
budgets:
  limits: [ { window: day, cap: 1000TB } ]
  zones:
    $ZONE:
      unknown_destinations: allow
      tenants:
        alpha: { limits: [ { window: day, cap: 1000GB } ] }
        beta: { limits: [ { window: day, cap: $CAP_BETA } ] }
        gamma: { limits: [ { window: day, cap: $CAP_GAMMA } ] }
        fwd: { limits: [ { window: day, cap: 1000GB } ] }
        fwdsmall: { limits: [ { window: day, cap: $CAP_FWDSMALL } ] }
        bulk: { limits: [ { window: day, cap: $CAP_BULK } ] }
listeners:
  - { name: api, mode: reverse, bind: "127.0.0.1:${REV[$n]}", upstream: "http://127.0.0.1:${ORIGIN[$site]}", zone: $ZONE, tenant_header: X-Tenant }
  - name: out
    mode: forward
    bind: "127.0.0.1:${FWD[$n]}"
    zone: $ZONE
    deny_ranges: []
    proxy_users:
      fwd: { tenant: fwd, password_sha256: $(sha soak-fwd) }
      fwdsmall: { tenant: fwdsmall, password_sha256: $(sha soak-fwdsmall) }
  - { name: bulk, mode: tcp, bind: "127.0.0.1:${TCP[$n]}", upstream: "127.0.0.1:${SINK[$site]}", zone: $ZONE, egress: upstream, tenants_by_source: { "127.0.0.0/8": bulk } }
admin: { bind: "127.0.0.1:${ADMIN[$n]}" }
CONF
}
declare -A NODE_PID
start_node() { # NODE: under libfaketime, its wall clock stepped by writing $dir/faketime
  local n=$1 dir="$work/node-$1"
  rm -f "$dir/ready.json"
  # shellcheck disable=SC2046,SC2086
  env $(faked_env "$dir/faketime") java $SLUICE_JAVA_OPTS -jar "$sluice_jar" run --config "$dir/sluice.yaml" \
    --ready-file "$dir/ready.json" --drain-timeout 5s </dev/null >>"$dir/sluice.out" 2>>"$dir/sluice.err" &
  NODE_PID[$n]=$!; pids+=("${NODE_PID[$n]}")
}
ready() { curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ADMIN[$1]}/readyz" 2>/dev/null | grep -q '^200$'; }
await_node() { # NODE [SECONDS]: a node that exits at start (its id still held in etcd, etcd slow) is started again
  local n=$1 limit=${2:-$READY_SECONDS} t0 tries=1
  t0=$(date +%s)
  while [ $(( $(date +%s) - t0 )) -lt "$limit" ]; do
    [ -f "$work/node-$n/ready.json" ] && ready "$n" && return 0
    if ! kill -0 "${NODE_PID[$n]}" 2>/dev/null; then
      wait "${NODE_PID[$n]}" 2>/dev/null || true
      forget_pid "${NODE_PID[$n]}"
      if grep -q 'configuration not valid' "$work/node-$n/sluice.err"; then cat "$work/node-$n/sluice.err" >&2; die "node $n: configuration not valid"; fi
      log "node $n exited at start (try $tries): $(tail -1 "$work/node-$n/sluice.err")"
      tries=$((tries + 1))
      start_node "$n"
    fi
    sleep 0.5
  done
  tail -5 "$work/node-$n/sluice.err" >&2
  die "node $n not ready within ${limit}s"
}
for n in "${NODES[@]}"; do write_config "$n"; start_node "$n"; done
for n in "${NODES[@]}"; do await_node "$n"; done
log "gateways ready: l (local store), a b c (etcd)"

# ---- traffic ----------------------------------------------------------------------------------
list() { local s=$1 out="" n; shift; for n in "$@"; do out+="${out:+,}127.0.0.1:$(eval "echo \${$s[$n]}")"; done; echo "$out"; }
declare -A DRIVER
start_traffic() { # SITE NODE...
  local site=$1; shift
  java -Xmx256m -cp "$bench_jar" dev.sluice.bench.soak.SoakTraffic run --seconds "$DURATION" \
    --seed "$SEED" --out "$work/delivered-$site.tsv" --stats "$work/stats-$site.tsv" \
    --workers "$WORKERS" --pace-ms "$PACE_MS" --origin-port "${ORIGIN[$site]}" --sink-port "${SINK[$site]}" \
    --reverse "$(list REV "$@")" --forward "$(list FWD "$@")" --tcp "$(list TCP "$@")" \
    --reverse-tenants alpha,beta,gamma --forward-tenants fwd,fwdsmall --tcp-tenant bulk \
    </dev/null >"$work/traffic-$site.out" 2>"$work/traffic-$site.err" &
  DRIVER[$site]=$!; pids+=("${DRIVER[$site]}")
}
start_traffic local l
start_traffic cluster a b c
traffic_start=$(date +%s)
traffic_end=$(( traffic_start + DURATION ))
log "traffic: ${WORKERS} workers per site until $(date -u -d @"$traffic_end" +%H:%M:%S) UTC"

# ---- faults -----------------------------------------------------------------------------------
faults="$work/faults.tsv"   # time, kind, target, detail, recovered without restart
: >"$faults"
fault_at=""  # when the fault being injected began
fault() { # KIND TARGET DETAIL RECOVERED_WITHOUT_RESTART(yes|no|-)
  printf '%s\t%s\t%s\t%s\t%s\n' "$fault_at" "$@" >>"$faults"
  log "fault $1 $2 (from $fault_at): $3$([ "$4" != - ] && echo ", recovered without restart: $4")"
}
slow_pids=()
kinds=()
for k in $FAULTS; do
  if [ "$k" = disk-full ] && [ "$DISK_FULL" = 0 ]; then continue; fi
  kinds+=("$k")
done
[ ${#kinds[@]} -gt 0 ] || die "no fault kinds to draw from (FAULTS=$FAULTS)"
restart_node() { # NODE: TERM (then KILL), start again, wait until ready
  stop_pid "${NODE_PID[$1]}"; forget_pid "${NODE_PID[$1]}"; start_node "$1"; await_node "$1"
}
inject() { # KIND
  local kind=$1 n hold t0 s i dir rc
  fault_at=$(date -u +%H:%M:%S)
  rand "$HOLD_MIN" "$HOLD_MAX"; hold=$R
  case "$kind" in
    kill9)
      rand 0 3; n=${NODES[R]}
      kill -KILL "${NODE_PID[$n]}" 2>/dev/null || true
      wait "${NODE_PID[$n]}" 2>/dev/null || true; forget_pid "${NODE_PID[$n]}"
      sleep "$hold"; t0=$(date +%s); start_node "$n"; await_node "$n"
      fault kill9 "$n" "down ${hold}s, ready $(( $(date +%s) - t0 ))s after restart" "-" ;;
    etcd-stop)
      rand 0 2; i=$R
      stop_pid "${etcd_pids[i]}"; etcd_pids[i]=""
      sleep "$hold"; etcd_start "$i"; etcd_await "$i"
      fault etcd-stop "m$i" "stopped ${hold}s, healthy again" "-" ;;
    disk-full)
      rand 0 3; n=${NODES[R]}; dir="$work/node-$n/data"
      dd if=/dev/zero of="$dir/filler" bs=1M status=none 2>/dev/null || true
      sleep "$hold"
      s=$(ready "$n" && echo ready || echo unready)
      rm -f "$dir/filler"
      t0=$(date +%s); rc=no
      while [ $(( $(date +%s) - t0 )) -lt "$RECOVER_SECONDS" ]; do
        if ready "$n"; then rc=yes; break; fi
        sleep 1
      done
      if [ "$rc" = no ]; then restart_node "$n"; fi
      fault disk-full "$n" "full ${hold}s ($s at its end), then freed" "$rc" ;;
    clock-step)
      rand 0 3; n=${NODES[R]}
      rand "$CLOCK_STEP_MIN" "$CLOCK_STEP_MAX"; s=$R
      day_s=$(( $(date -u +%s) % 86400 ))
      if [ $(( RANDOM % 2 )) = 0 ] && [ "$day_s" -gt $(( s + 60 )) ]; then s=-$s; else s=+$s; fi
      echo "$s" >"$work/node-$n/faketime"
      sleep "$hold"
      echo "+0" >"$work/node-$n/faketime"
      sleep 2
      fault clock-step "$n" "${s}s for ${hold}s, then back; $(ready "$n" && echo ready || echo NOT ready) after" "-" ;;
    slow-reader)
      rand 0 3; n=${NODES[R]}
      local tenants=(alpha beta gamma) tenant
      rand 0 2; tenant=${tenants[R]}
      timeout 300 java -Xmx64m -cp "$bench_jar" dev.sluice.bench.soak.SoakTraffic slow \
        --node "127.0.0.1:${REV[$n]}" --tenant "$tenant" --bytes "$SLOW_BYTES" --chunk 1024 --delay-ms 20 \
        --out "$work/delivered-${SITE[$n]}-slow-${#slow_pids[@]}.tsv" </dev/null \
        >>"$work/slow.out" 2>&1 &
      slow_pids+=($!); pids+=($!)
      fault slow-reader "$n" "$tenant, $SLOW_BYTES bytes, 1 KiB per 20 ms" "-" ;;
  esac
}
while :; do
  rand $(( FAULT_INTERVAL / 2 )) $(( FAULT_INTERVAL * 3 / 2 )); gap=$R
  [ $(( $(date +%s) + gap + HOLD_MAX + 10 )) -lt "$traffic_end" ] || break
  sleep "$gap"
  rand 0 $(( ${#kinds[@]} - 1 )); inject "${kinds[R]}"
done
log "faults done; waiting for the traffic to end"
for s in local cluster; do
  wait "${DRIVER[$s]}" || die "traffic of site $s failed: $(tail -3 "$work/traffic-$s.err")"
  forget_pid "${DRIVER[$s]}"
done
for p in "${slow_pids[@]}"; do wait "$p" 2>/dev/null || true; forget_pid "$p"; done
for n in "${NODES[@]}"; do ready "$n" || await_node "$n" 30; done

# ---- invariants -------------------------------------------------------------------------------
inv="$work/invariants.tsv"  # name, held|violated, detail
: >"$inv"
invariant() { printf '%s\t%s\t%s\n' "$@" >>"$inv"; log "invariant $1: $2 ($3)"; }
for s in local cluster; do
  n=$([ "$s" = local ] && echo l || echo a)
  curl -s -m 10 "http://127.0.0.1:${ADMIN[$n]}/api/budgets" >"$work/budgets-$s.json" || die "no /api/budgets from $n"
  java -cp "$bench_jar" dev.sluice.bench.soak.SoakCheck budgets "$work/budgets-$s.json" "$ZONE" \
    "$work"/delivered-"$s".tsv "$work"/delivered-"$s"-slow-*.tsv >"$work/figures-$s.tsv" </dev/null
  over=$(awk -F'\t' '$1 != "(other)" && $2 > $3 {printf "%s%s delivered %.0f > cap %.0f", sep, $1, $2, $3; sep = "; "}' "$work/figures-$s.tsv")
  at=$(awk -F'\t' '$1 != "(other)" && $3 < 1e12 {printf "%s%s %.0f/%.0f (%.1f%%)", sep, $1, $2, $3, 100 * $2 / $3; sep = ", "}' "$work/figures-$s.tsv")
  invariant "(a) caps, $s" "$([ -z "$over" ] && echo held || echo violated)" "${over:-small caps: $at}"
  under=$(awk -F'\t' '$1 != "(other)" && $4 < $2 {printf "%s%s spent %.0f < delivered %.0f", sep, $1, $4, $2; sep = "; "}' "$work/figures-$s.tsv")
  margin=$(awk -F'\t' '$1 != "(other)" {printf "%s%s +%.0f", sep, $1, $4 - $2; sep = ", "}' "$work/figures-$s.tsv")
  invariant "(b) counters, $s" "$([ -z "$under" ] && echo held || echo violated)" "${under:-spent minus delivered: $margin}"
done
for n in "${NODES[@]}"; do stop_pid "${NODE_PID[$n]}"; forget_pid "${NODE_PID[$n]}"; done
bad=""
for n in "${NODES[@]}"; do
  java -jar "$sluice_jar" ledger verify "$work/node-$n/data" </dev/null >"$work/verify-$n.txt" 2>&1 \
    || bad+="${bad:+; }$n: $(grep -m1 -E 'FAIL|error|rror' "$work/verify-$n.txt" || tail -1 "$work/verify-$n.txt")"
done
invariant "(c) ledger verify, all 4 nodes" "$([ -z "$bad" ] && echo held || echo violated)" "${bad:-OK on l, a, b, c}"
rc=0
java -jar "$sluice_jar" ledger reconcile --config "$work/node-a/sluice.yaml" \
  "$work/node-a/data" "$work/node-b/data" "$work/node-c/data" </dev/null >"$work/reconcile.txt" 2>&1 || rc=$?
why=$(grep -oE 'node [a-z0-9_.-]+: [0-9]+ sets open in its ledger have no grant record in etcd' "$work/reconcile.txt" | paste -sd ';' - || true)
invariant "(d) ledger reconcile, cluster" "$([ "$rc" = 0 ] && echo held || echo violated)" \
  "exit $rc: $(grep -E '^(OK|FAIL)' "$work/reconcile.txt" | tail -1 || tail -1 "$work/reconcile.txt")${why:+ ($why)}"
invariant "(d) ledger reconcile, local" "n/a" "the local store has no etcd to reconcile against"

# ---- report -----------------------------------------------------------------------------------
traffic_row() { awk -F'\t' -v s="$1" '{a[$1] = a[$1] sep[$1] $2 " " $3; sep[$1] = ", "} END {for (k in a) printf "| %s | %s | %s |\n", s, k, a[k]}' "$work/stats-$1.tsv" | sort; }
report=$(
  echo "| fault | count | detail |"
  echo "|---|---:|---|"
  for k in kill9 etcd-stop disk-full clock-step slow-reader; do
    c=$(awk -F'\t' -v k="$k" '$2 == k' "$faults" | wc -l)
    d=$(awk -F'\t' -v k="$k" '$2 == k {printf "%s%s %s", sep, $3, $4; if ($5 != "-") printf ", recovered without restart: %s", $5; sep = "; "}' "$faults")
    if [ "$k" = disk-full ] && [ "$DISK_FULL" = 0 ]; then d="skipped: not root (no tmpfs)"; fi
    case " $FAULTS " in *" $k "*) ;; *) d="not drawn (FAULTS)" ;; esac
    echo "| $k | $c | ${d:--} |"
  done
  echo
  echo "| invariant | result | detail |"
  echo "|---|---|---|"
  awk -F'\t' '{printf "| %s | %s | %s |\n", $1, ($2 == "violated" ? "**VIOLATED**" : $2), $3}' "$inv"
  echo
  echo "| site | exchange | outcomes |"
  echo "|---|---|---|"
  traffic_row local; traffic_row cluster
  echo
  echo "| site | tenant | delivered | day cap | spent | sent |"
  echo "|---|---|---:|---:|---:|---:|"
  for s in local cluster; do
    awk -F'\t' -v s="$s" '$1 != "(other)" {printf "| %s | %s | %.0f | %.0f | %.0f | %.0f |\n", s, $1, $2, $3, $4, $5}
      $1 == "(other)" {printf "| %s | %s | %.0f | | | |\n", s, $2, $3}' "$work/figures-$s.tsv"
  done
)
mkdir -p "$OUT_DIR"
stamp=$(date -u +%Y%m%d-%H%M%S)
out="$OUT_DIR/soak-$stamp"
mkdir -p "$out"
cp "$faults" "$inv" "$work"/figures-*.tsv "$work"/stats-*.tsv "$work"/budgets-*.json "$work/reconcile.txt" "$out/"
for n in "${NODES[@]}"; do cp "$work/node-$n/sluice.err" "$out/sluice-$n.err" 2>/dev/null || true; done
{
  echo "# bench/soak.sh, $stamp UTC"
  echo
  echo "Seed $SEED; ${DURATION}s of traffic ($WORKERS workers per site, ${PACE_MS} ms pause); a fault every" \
    "~${FAULT_INTERVAL}s, held ${HOLD_MIN}-${HOLD_MAX}s; small day caps beta $CAP_BETA, gamma $CAP_GAMMA," \
    "fwdsmall $CAP_FWDSMALL, bulk $CAP_BULK. Host: $(nproc) CPUs, $(uname -r), $(java -version 2>&1 | head -1)."
  echo
  echo "$report"
} >"$out.md"
echo
echo "$report"
echo
log "results: $out.md, raw figures in $out/"
if grep -q $'\tviolated\t' "$inv"; then log "an invariant was VIOLATED"; exit 1; fi
