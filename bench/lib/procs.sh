# Shell helpers shared by bench/cluster.sh and bench/soak.sh; source it, do not run it.
#
# The caller sets LOG_TAG (the word in log lines) and root (the repository) before sourcing, and
# work (a temporary directory) before calling anything that starts a process. Every process the
# helpers start is recorded by PID in pids (servers, stopped in reverse order at exit) or etcd_pids
# (etcd members, stopped last and together); cleanup stops them all, then calls cleanup_hook if the
# caller defined one (unmounts and the like), then removes work unless KEEP_WORK=1.
# shellcheck shell=bash

log() { printf '[%s %s] %s\n' "$LOG_TAG" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

ETCD=/usr/bin/etcd
ensure_etcd() { # installs etcd-server with apt-get when /usr/bin/etcd is missing (needs root)
  if [ ! -x "$ETCD" ]; then
    [ "$(id -u)" = 0 ] || die "$ETCD is missing; run as root to install etcd-server"
    log "installing etcd-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q </dev/null >&2
    apt-get install -y -q --no-install-recommends etcd-server </dev/null >&2
  fi
  [ -x "$ETCD" ] || die "no etcd at $ETCD"
}

bench_jar="$root/sluice-bench/target/benchmarks.jar"
sluice_jar="$root/sluice-app/target/sluice.jar"
build_jars() { # unless SKIP_BUILD=1
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building the jars"
    (cd "$root" && ./mvnw -q -B -DskipTests package </dev/null) >&2
  fi
  [ -f "$bench_jar" ] && [ -f "$sluice_jar" ] || die "jars missing: build with ./mvnw -B -DskipTests package"
}

# ---- processes: every one started here is stopped by PID ------------------------------------
pids=()      # long-running servers, stopped in reverse order
current=""   # the client running in the foreground, if any
etcd_pids=() # stopped last, together
stop_pid() { # TERM, up to 10 s, then KILL
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
stop_together() { # TERM to all, up to 10 s, then KILL (etcd members stop faster together)
  local p i alive
  for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
  for i in $(seq 100); do
    alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
}
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  [ -n "$current" ] && stop_pid "$current"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  local live=()
  for i in "${etcd_pids[@]}"; do [ -n "$i" ] && live+=("$i"); done
  [ ${#live[@]} = 0 ] || stop_together "${live[@]}"
  if declare -F cleanup_hook >/dev/null; then cleanup_hook || true; fi
  if [ -n "${work:-}" ]; then
    if [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$work"; else log "kept $work"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Runs a client in the background and waits for it, so that a signal reaches the trap at once.
run() { "$@" & current=$!; local rc=0; wait "$current" || rc=$?; current=""; return "$rc"; }
forget_pid() { # a server stopped on purpose: not again at exit
  local i
  for i in "${!pids[@]}"; do [ "${pids[i]}" = "$1" ] && unset 'pids[i]'; done
  pids=("${pids[@]}")
}

wait_port() { # PORT NAME PID
  local i
  for i in $(seq 150); do
    kill -0 "$3" 2>/dev/null || die "$2 exited at start; see $work"
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  die "$2 does not listen on 127.0.0.1:$1"
}

# ---- a 3-member etcd cluster on loopback ----------------------------------------------------
# The caller sets ETCD_CLIENT and ETCD_PEER (3 ports each). etcd_start I starts member mI (data in
# $work/etcd/mI.data, log in $work/etcd-mI.log; a restart with the data directory in place rejoins
# the cluster); etcd_await I waits until it reports healthy.
etcd_endpoints() { local i; for i in 0 1 2; do echo "http://127.0.0.1:${ETCD_CLIENT[i]}"; done; }
etcd_start() {
  local i=$1 initial="" j
  for j in 0 1 2; do initial+="${initial:+,}m$j=http://127.0.0.1:${ETCD_PEER[j]}"; done
  "$ETCD" --name="m$i" --data-dir="$work/etcd/m$i.data" \
    --listen-client-urls="http://127.0.0.1:${ETCD_CLIENT[i]}" \
    --advertise-client-urls="http://127.0.0.1:${ETCD_CLIENT[i]}" \
    --listen-peer-urls="http://127.0.0.1:${ETCD_PEER[i]}" \
    --initial-advertise-peer-urls="http://127.0.0.1:${ETCD_PEER[i]}" \
    --initial-cluster="$initial" --initial-cluster-state=new \
    --initial-cluster-token="sluice-bench-$$" --logger=zap --log-level=warn \
    </dev/null >>"$work/etcd-m$i.log" 2>&1 &
  etcd_pids[i]=$!
}
etcd_healthy() { curl -s -m 1 "http://127.0.0.1:${ETCD_CLIENT[$1]}/health" 2>/dev/null | tr -d ' ' | grep -q '"health":"true"'; }
etcd_await() {
  local i=$1
  for _ in $(seq 150); do
    etcd_healthy "$i" && return 0
    kill -0 "${etcd_pids[i]}" 2>/dev/null || { cat "$work/etcd-m$i.log" >&2; die "etcd m$i exited at start"; }
    sleep 0.2
  done
  etcd_healthy "$i" || { cat "$work/etcd-m$i.log" >&2; die "etcd m$i is not healthy"; }
}
