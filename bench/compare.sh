#!/usr/bin/env bash
# Sluice side by side with nginx and HAProxy, on loopback, in one run (issue 5, DESIGN section 11).
#
#   bench/compare.sh              # full run: about 10 minutes on a 2-core machine
#   QUICK=1 bench/compare.sh      # smoke run: 1 run each, short workloads, about 3 minutes
#
# Each workload runs direct, through nginx, through HAProxy and through Sluice, alternating
# (A B C D A B C D ...) so drift cancels, after a warm-up pass through each:
#   1. bulk:  BYTES through each tcp proxy into a sink (TcpBlast -> TcpSink), MiB/s;
#   2. cpu:   utime+stime of every process of the proxy (from /proc/PID/stat) over each bulk run,
#             in CPU seconds per GiB moved;
#   3. http:  1 KiB static responses from an nginx origin, keep-alive, wrk: req/s, p50 and p99;
#   4. sse:   SSE_STREAMS concurrent streaming chat completions of corpus answers from the demo
#             upstream paced like a model (SseUpstream, SseLoad): time to first body byte p50/p99.
# It prints a Markdown table of medians with the ratios Sluice/nginx, Sluice/HAProxy and
# Sluice/direct and the raw samples, and writes them with a PNG chart to OUT_DIR.
#
# Settings (environment, defaults in brackets):
#   RUNS [3, QUICK 1]            measured runs per workload and peer
#   BYTES [1073741824, QUICK 268435456]                      bulk bytes per run
#   BULK_WARMUP [3, QUICK 1]     unrecorded bulk runs per peer first (the JVM's JIT: a Sluice's
#                                first GiB or two run slower while its loops are compiled)
#   WRK_THREADS [2] WRK_CONNS [32] WRK_SECONDS [10, QUICK 3] wrk -t -c -d
#   SSE_STREAMS [200, QUICK 50] SSE_SECONDS [15, QUICK 4] SSE_GRACE [5, QUICK 2]
#   SSE_WARMUP [5, QUICK 2] SSE_DELAY_MS [10]                 streams, run length, pacing
#   CORPUS [../shared/corpus/alpaca-eval-outputs.jsonl.gz beside the repository]
#   WORKLOADS ["bulk http sse"]  which workloads to run
#   OUT_DIR [sluice-bench/target/compare]   results: compare-STAMP.{md,png,tsv}, -sse-streams.tsv
#   SKIP_BUILD [0]               1: use the jars already built
#   SLUICE_JAVA_OPTS []          extra JVM options for sluice (none by default: not tuned)
#   DETECTION []                 a site `detection` map, e.g.
#                                '{ index: /abs/w.sfi, tensors: true, action: block }': a second
#                                Sluice with it runs as the peer sluice-detect, alternating with the
#                                others; a table of Sluice with/without detection is added (issue
#                                17's target: bulk with it >= 0.8x without)
#   BLAST_CONTENT [pattern]      what the bulk client sends: pattern (a 256-byte cycle), random
#                                (seeded), text (CORPUS decompressed) or a file (first 64 MiB, cycled)
#
# Peers: nginx (worker_processes auto) as `stream` proxy and `proxy_pass` with upstream
# keepalive; HAProxy (nbthread default = one thread per CPU) in `mode tcp` and `mode http` with
# keep-alive; `sluice run` with default settings (event loops, escrow), a tcp listener with
# `egress: upstream` and two reverse listeners, budgets far above what the run sends. Installs
# nginx-light, libnginx-mod-stream, haproxy and wrk with apt-get when missing (needs root).
# Needs no stdin. Everything it starts it stops by PID, also when interrupted; it only uses
# 127.0.0.1. Machines that share cores are noisy: compare ratios from the same run only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  RUNS=${RUNS:-1}; BYTES=${BYTES:-268435456}; WRK_SECONDS=${WRK_SECONDS:-3}
  SSE_STREAMS=${SSE_STREAMS:-50}; SSE_SECONDS=${SSE_SECONDS:-4}; SSE_GRACE=${SSE_GRACE:-2}
  SSE_WARMUP=${SSE_WARMUP:-2}
fi
RUNS=${RUNS:-3}
BYTES=${BYTES:-1073741824}
BULK_WARMUP=${BULK_WARMUP:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-32}
WRK_SECONDS=${WRK_SECONDS:-10}
SSE_STREAMS=${SSE_STREAMS:-200}
SSE_SECONDS=${SSE_SECONDS:-15}
SSE_GRACE=${SSE_GRACE:-5}
SSE_WARMUP=${SSE_WARMUP:-5}
SSE_DELAY_MS=${SSE_DELAY_MS:-10}
CORPUS=${CORPUS:-$root/../shared/corpus/alpaca-eval-outputs.jsonl.gz}
WORKLOADS=${WORKLOADS:-bulk http sse}
OUT_DIR=${OUT_DIR:-$root/sluice-bench/target/compare}
SKIP_BUILD=${SKIP_BUILD:-0}
PEERS=(direct nginx haproxy sluice)
STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so

log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
has() { case " $WORKLOADS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---- peers and jars -------------------------------------------------------------------------
if ! command -v nginx >/dev/null || [ ! -f "$STREAM_MODULE" ] || ! command -v haproxy >/dev/null \
    || ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || die "nginx, its stream module, haproxy or wrk is missing; run as root to install them"
  log "installing nginx-light, libnginx-mod-stream, haproxy, wrk"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q </dev/null >&2
  apt-get install -y -q --no-install-recommends nginx-light libnginx-mod-stream haproxy wrk \
    </dev/null >&2
fi
[ -f "$STREAM_MODULE" ] || die "no nginx stream module at $STREAM_MODULE"
[ -f "$CORPUS" ] || ! has sse || die "corpus file $CORPUS is missing (set CORPUS=FILE.jsonl.gz)"
if [ "$SKIP_BUILD" != 1 ]; then
  log "building the jars"
  (cd "$root" && ./mvnw -q -B -DskipTests package </dev/null) >&2
fi
bench_jar="$root/sluice-bench/target/benchmarks.jar"
sluice_jar="$root/sluice-app/target/sluice.jar"
[ -f "$bench_jar" ] && [ -f "$sluice_jar" ] || die "jars missing: build with ./mvnw -B -DskipTests package"
BLAST_CONTENT=${BLAST_CONTENT:-pattern}

# ---- processes: every one started here is stopped by PID ------------------------------------
work=$(mktemp -d /tmp/sluice-compare.XXXXXX)
chmod 755 "$work"  # nginx workers run as nobody and read the static files below
pids=()      # long-running servers, stopped in reverse order
current=""   # the client running in the foreground, if any
stop_pid() { # TERM, up to 10 s, then KILL
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  [ -n "$current" ] && stop_pid "$current"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  if [ "${KEEP_WORK:-0}" != 1 ]; then rm -rf "$work"; else log "kept $work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Runs a client in the background and waits for it, so that a signal reaches the trap at once.
run() { "$@" & current=$!; local rc=0; wait "$current" || rc=$?; current=""; return "$rc"; }

wait_port() { # PORT NAME PID
  local i
  for i in $(seq 150); do
    kill -0 "$3" 2>/dev/null || die "$2 exited at start; see $work"
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  die "$2 does not listen on 127.0.0.1:$1"
}

read -r ORIGIN_PORT SSE_PORT SINK_PORT NGX_TCP NGX_HTTP NGX_SSE HAP_TCP HAP_HTTP HAP_SSE \
  <<<"$(java -cp "$bench_jar" dev.sluice.bench.FreePorts 9 | tr '\n' ' ')"

# The origin: nginx serving a static 1 KiB file with keep-alive, one worker (the same backend
# for every peer; the proxies get the cores).
mkdir -p "$work/www" "$work/origin"
head -c 1024 /dev/urandom >"$work/www/1k.bin"
chmod -R a+rX "$work/www"
cat >"$work/origin/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/origin/nginx.pid;
error_log $work/origin/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$ORIGIN_PORT; root $work/www; }
}
CONF
nginx -e "$work/origin/error.log" -c "$work/origin/nginx.conf" -p "$work/origin" </dev/null &
pids+=($!); wait_port "$ORIGIN_PORT" "origin nginx" "$!"

# The SSE origin: the demo upstream replaying corpus answers, paced like a model.
if has sse; then
  java -cp "$bench_jar" dev.sluice.bench.SseUpstream "$SSE_PORT" "$CORPUS" "$SSE_DELAY_MS" \
    </dev/null >"$work/sse-upstream.log" 2>&1 &
  pids+=($!); wait_port "$SSE_PORT" "sse upstream" "$!"
fi

# The sink of bulk egress.
java -cp "$bench_jar" dev.sluice.bench.TcpSink "$SINK_PORT" </dev/null >"$work/sink.log" 2>&1 &
pids+=($!); wait_port "$SINK_PORT" "tcp sink" "$!"

# nginx as the proxy: stream for tcp, proxy_pass with upstream keepalive for http and SSE.
# proxy_half_close passes the client's end of data on to the sink, as HAProxy and Sluice do, so
# that for every proxy TcpBlast's time ends when the sink has read the last byte and closed.
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
load_module $STREAM_MODULE;
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
stream {
  server { listen 127.0.0.1:$NGX_TCP; proxy_pass 127.0.0.1:$SINK_PORT; proxy_half_close on; }
}
http {
  access_log off;
  keepalive_requests 1000000;
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; keepalive_requests 1000000; }
  upstream sse { server 127.0.0.1:$SSE_PORT; keepalive 512; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGX_HTTP;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:$NGX_SSE;
    location / {
      proxy_pass http://sse; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
CONF
nginx -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -p "$work/nginx" </dev/null &
nginx_pid=$!; pids+=($nginx_pid); wait_port "$NGX_TCP" "nginx" "$nginx_pid"

# HAProxy: mode tcp and mode http (keep-alive is its default; stated anyway). For SSE,
# http-no-delay: by default HAProxy sends with MSG_MORE while a response is incomplete, which
# holds a lone small event up to ~200 ms (what nginx's proxy_buffering off is to nginx).
mkdir -p "$work/haproxy"
cat >"$work/haproxy/haproxy.cfg" <<CONF
global
  maxconn 8000
defaults
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen tcp
  mode tcp
  bind 127.0.0.1:$HAP_TCP
  server sink 127.0.0.1:$SINK_PORT
listen http
  mode http
  option http-keep-alive
  bind 127.0.0.1:$HAP_HTTP
  server origin 127.0.0.1:$ORIGIN_PORT
listen sse
  mode http
  option http-keep-alive
  option http-no-delay
  bind 127.0.0.1:$HAP_SSE
  server sse 127.0.0.1:$SSE_PORT
CONF
haproxy -db -f "$work/haproxy/haproxy.cfg" </dev/null >"$work/haproxy/haproxy.log" 2>&1 &
haproxy_pid=$!; pids+=($haproxy_pid); wait_port "$HAP_TCP" "haproxy" "$haproxy_pid"

# Sluice: default settings, budgets far above what the run sends. With DETECTION a second
# Sluice, the same plus that `detection` section, runs beside it as the peer sluice-detect.
sluice_config() { # FILE DATA_DIR [DETECTION]
  cat >"$1" <<CONF
site: bench
model: { name: m, weight_bytes: 810GB }
data_dir: $2
budgets:
  limits: [ { window: day, cap: 1000TB } ]
  zones:
    inference:
      tenants:
        default: { limits: [ { window: day, cap: 1000TB } ] }
listeners:
  - { name: bulk, mode: tcp, bind: "127.0.0.1:0", upstream: "127.0.0.1:$SINK_PORT", zone: inference, egress: upstream }
  - { name: http, mode: reverse, bind: "127.0.0.1:0", upstream: "http://127.0.0.1:$ORIGIN_PORT", zone: inference }
  - { name: sse, mode: reverse, bind: "127.0.0.1:0", upstream: "http://127.0.0.1:$SSE_PORT", zone: inference }
admin: { bind: "127.0.0.1:0" }
CONF
  if [ -n "${3:-}" ]; then echo "detection: $3" >>"$1"; fi
}
start_sluice() { # NAME: config $work/NAME.yaml; sets started_pid, ports in $work/NAME.ready.json
  local name=$1
  # shellcheck disable=SC2086
  java ${SLUICE_JAVA_OPTS:-} -jar "$sluice_jar" run --config "$work/$name.yaml" \
    --ready-file "$work/$name.ready.json" --drain-timeout 5s </dev/null \
    >"$work/$name.out" 2>"$work/$name.err" &
  started_pid=$!; pids+=($started_pid)
  for _ in $(seq 150); do
    [ -f "$work/$name.ready.json" ] && break
    kill -0 "$started_pid" 2>/dev/null || { cat "$work/$name.err" >&2; die "$name exited at start"; }
    sleep 0.2
  done
  [ -f "$work/$name.ready.json" ] || { cat "$work/$name.err" >&2; die "$name did not get ready"; }
}
listener_port() { sed -n "s/.*\"$2\":\"127\.0\.0\.1:\([0-9]*\)\".*/\1/p" "$work/$1.ready.json"; }
sluice_config "$work/sluice.yaml" "$work/sluice-data"
start_sluice sluice; sluice_pid=$started_pid
SLU_TCP=$(listener_port sluice bulk); SLU_HTTP=$(listener_port sluice http); SLU_SSE=$(listener_port sluice sse)
[ -n "$SLU_TCP" ] && [ -n "$SLU_HTTP" ] && [ -n "$SLU_SSE" ] || die "ports not in $work/sluice.ready.json"
detect_pid=""
if [ -n "${DETECTION:-}" ]; then
  sluice_config "$work/sluice-detect.yaml" "$work/sluice-detect-data" "$DETECTION"
  start_sluice sluice-detect; detect_pid=$started_pid
  PEERS+=(sluice-detect)
fi

declare -A TCP_PORT=([direct]=$SINK_PORT [nginx]=$NGX_TCP [haproxy]=$HAP_TCP [sluice]=$SLU_TCP)
declare -A HTTP_PORT=([direct]=$ORIGIN_PORT [nginx]=$NGX_HTTP [haproxy]=$HAP_HTTP [sluice]=$SLU_HTTP)
declare -A SSE_PORTS=([direct]=$SSE_PORT [nginx]=$NGX_SSE [haproxy]=$HAP_SSE [sluice]=$SLU_SSE)
if [ -n "$detect_pid" ]; then
  TCP_PORT[sluice-detect]=$(listener_port sluice-detect bulk)
  HTTP_PORT[sluice-detect]=$(listener_port sluice-detect http)
  SSE_PORTS[sluice-detect]=$(listener_port sluice-detect sse)
fi

# Every HTTP path answers 200 with the 1 KiB file before anything is measured.
for peer in "${PEERS[@]}"; do
  got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:${HTTP_PORT[$peer]}/1k.bin")
  [ "$got" = "200 1024" ] || die "GET /1k.bin via $peer: $got (want 200 1024)"
done

# Every SSE path streams a short answer to its end.
if has sse; then
  for peer in "${PEERS[@]}"; do
    curl -sN -m 20 "http://127.0.0.1:${SSE_PORTS[$peer]}/v1/chat/completions" \
      -H 'Content-Type: application/json' \
      -d '{"model":"sluice-demo","stream":true,"max_tokens":3,"messages":[{"role":"user","content":"hi"}]}' \
      | grep -q '^data: \[DONE\]' || die "no SSE stream via $peer"
  done
fi

# What the bulk client sends.
case $BLAST_CONTENT in
  pattern | random) blast_content=$BLAST_CONTENT ;;
  text)
    [ -f "$CORPUS" ] || die "BLAST_CONTENT=text needs the corpus file $CORPUS"
    blast_content="$work/text.bin"
    gzip -dc "$CORPUS" | head -c $((64 << 20)) >"$blast_content" || true
    [ -s "$blast_content" ] || die "no text from $CORPUS"
    ;;
  *) [ -f "$BLAST_CONTENT" ] || die "BLAST_CONTENT: no file $BLAST_CONTENT"; blast_content=$BLAST_CONTENT ;;
esac

# ---- measurement helpers --------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
proxy_pids() { # every process of a proxy: the nginx master and its workers, HAProxy, the JVM
  case $1 in
    nginx) echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true) ;;
    haproxy) echo "$haproxy_pid" ;;
    sluice) echo "$sluice_pid" ;;
    sluice-detect) echo "$detect_pid" ;;
  esac
}
cpu_ticks() { # utime+stime of the given processes (fields 14 and 15 of /proc/PID/stat)
  local t=0 p v
  for p in "$@"; do
    v=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || echo 0)
    t=$((t + v))
  done
  echo "$t"
}
samples="$work/samples.tsv"
: >"$samples"
sample() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$samples"; }

blast() { # PEER RUN (RUN 0: warm-up, not recorded)
  local peer=$1 r=$2 procs=() before after mibps
  if [ "$peer" != direct ]; then read -ra procs <<<"$(proxy_pids "$peer")"; fi
  before=$(cpu_ticks "${procs[@]}")
  run timeout 300 java -cp "$bench_jar" dev.sluice.bench.TcpBlast 127.0.0.1 "${TCP_PORT[$peer]}" \
    "$BYTES" "$blast_content" >"$work/client.out" || die "TcpBlast via $peer failed"
  after=$(cpu_ticks "${procs[@]}")
  mibps=$(awk '{print $(NF-1)}' "$work/client.out")
  [ "$r" = 0 ] && return 0
  sample bulk "$peer" "$r" mibps "$mibps"
  if [ "$peer" != direct ]; then
    sample bulk "$peer" "$r" cpu_s_per_gib \
      "$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v b="$BYTES" 'BEGIN {printf "%.4f", t / hz / (b / 1073741824)}')"
  fi
  log "bulk run $r $peer: $mibps MiB/s, $((after - before)) CPU ticks"
}

to_ms() { awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.3f", v}'; }
wrk_run() { # PEER RUN SECONDS
  local peer=$1 r=$2 secs=$3 out rps p50 p99 non2xx sockerr
  run timeout $((secs + 60)) wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${secs}s" --latency \
    "http://127.0.0.1:${HTTP_PORT[$peer]}/1k.bin" >"$work/client.out" || die "wrk via $peer failed"
  out=$(cat "$work/client.out")
  [ "$r" = 0 ] && return 0
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out"); sockerr=${sockerr:-0}
  sample http "$peer" "$r" rps "$rps"
  sample http "$peer" "$r" p50_ms "$p50"
  sample http "$peer" "$r" p99_ms "$p99"
  sample http "$peer" "$r" errors "$((non2xx + sockerr))"
  log "http run $r $peer: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $((non2xx + sockerr))"
}

# ---- the runs -------------------------------------------------------------------------------
started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if has bulk; then
  log "bulk: warm-up ($BULK_WARMUP x each), then $RUNS x ${PEERS[*]} with $BYTES bytes"
  for _ in $(seq "$BULK_WARMUP"); do for peer in "${PEERS[@]}"; do blast "$peer" 0; done; done
  for r in $(seq "$RUNS"); do for peer in "${PEERS[@]}"; do blast "$peer" "$r"; done; done
fi
if has http; then
  log "http: warm-up, then $RUNS x ${PEERS[*]} with wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s"
  for peer in "${PEERS[@]}"; do wrk_run "$peer" 0 3; done
  for r in $(seq "$RUNS"); do for peer in "${PEERS[@]}"; do wrk_run "$peer" "$r" "$WRK_SECONDS"; done; done
fi
if has sse; then
  log "sse: warm-up, then $RUNS x ${PEERS[*]} with $SSE_STREAMS streams for ${SSE_SECONDS}s"
  targets=()
  for peer in "${PEERS[@]}"; do
    targets+=("$peer=http://127.0.0.1:${SSE_PORTS[$peer]}/v1/chat/completions")
  done
  sse_budget=$(( (RUNS + 1) * ${#PEERS[@]} * (SSE_SECONDS + SSE_GRACE + SSE_WARMUP + 20) ))
  run timeout "$sse_budget" java -cp "$bench_jar" dev.sluice.bench.SseLoad \
    --streams "$SSE_STREAMS" --duration-s "$SSE_SECONDS" --grace-s "$SSE_GRACE" \
    --runs "$RUNS" --warmup-s "$SSE_WARMUP" --streams-out "$work/sse-streams.tsv" \
    "${targets[@]}" >>"$samples" || die "SseLoad failed"
fi
elapsed=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- stop Sluice, check its ledger, report --------------------------------------------------
for p in $sluice_pid $detect_pid; do
  stop_pid "$p"
  for i in "${!pids[@]}"; do [ "${pids[i]}" = "$p" ] && unset 'pids[i]'; done
  pids=("${pids[@]}")
done
ledger=$(java -jar "$sluice_jar" ledger verify "$work/sluice-data" 2>&1 | grep -oE "^(OK|FAIL)" || true)
log "sluice ledger verify: ${ledger:-no result}"
if [ -n "$detect_pid" ]; then
  detect_ledger=$(java -jar "$sluice_jar" ledger verify "$work/sluice-detect-data" 2>&1 | grep -oE "^(OK|FAIL)" || true)
  log "sluice-detect ledger verify: ${detect_ledger:-no result}"
  ledger="$ledger, with detection ${detect_ledger:-no result}"
fi

mkdir -p "$OUT_DIR"
stamp=$(date -u +%Y%m%d-%H%M%S)
out="$OUT_DIR/compare-$stamp"
cp "$samples" "$out.tsv"
[ -f "$work/sse-streams.tsv" ] && cp "$work/sse-streams.tsv" "$out-sse-streams.tsv"
bulk_label=$(awk -v b="$BYTES" 'BEGIN {if (b % 1073741824 == 0) printf "%d GiB", b / 1073741824; else printf "%d MiB", b / 1048576}')
if [ -n "$detect_pid" ]; then
  detection_table=$(java -cp "$bench_jar" dev.sluice.bench.DetectionReport "$samples" \
    "$DETECTION" "$BLAST_CONTENT")
fi
table=$(java -Djava.awt.headless=true -cp "$bench_jar" dev.sluice.bench.CompareReport \
  "$samples" "$out.png" \
  --title "Sluice vs nginx vs HAProxy on loopback, $(nproc) CPUs, medians of $RUNS ($stamp UTC)" \
  --label "bulk=$bulk_label a run" \
  --label "http=wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_SECONDS}s" \
  --label "sse=$SSE_STREAMS concurrent streams, ${SSE_DELAY_MS} ms between events")
{
  echo "# bench/compare.sh, $stamp UTC"
  echo
  echo "Host: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r);" \
    "$(java -version 2>&1 | head -1); $(nginx -v 2>&1 | sed 's/.*: //'); $(haproxy -v | head -1 | awk '{print "HAProxy " $3}');" \
    "wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')."
  echo "Settings: RUNS=$RUNS BYTES=$BYTES BULK_WARMUP=$BULK_WARMUP WRK_THREADS=$WRK_THREADS WRK_CONNS=$WRK_CONNS WRK_SECONDS=$WRK_SECONDS" \
    "SSE_STREAMS=$SSE_STREAMS SSE_SECONDS=$SSE_SECONDS SSE_GRACE=$SSE_GRACE SSE_DELAY_MS=$SSE_DELAY_MS" \
    "CORPUS=$(basename "$CORPUS") QUICK=$QUICK BLAST_CONTENT=$BLAST_CONTENT${DETECTION:+ DETECTION=$DETECTION}."
  echo "Measured for ${elapsed}s; load average (1, 5, 15 min) before $load_before, after" \
    "$load_after; Sluice ledger verify: ${ledger:-no result}."
  echo
  echo "$table"
  echo
  if [ -n "$detect_pid" ]; then echo "$detection_table"; echo; fi
  echo "Chart: $out.png"
  echo
  echo "## Peer configurations"
  for f in origin/nginx.conf nginx/nginx.conf haproxy/haproxy.cfg sluice.yaml \
    $( [ -n "$detect_pid" ] && echo sluice-detect.yaml ); do
    echo; echo "\`$f\`:"; echo; echo '```'; sed "s|$work|\$WORK|g" "$work/$f"; echo '```'
  done
} >"$out.md"
echo
echo "$table"
echo
if [ -n "$detect_pid" ]; then echo "$detection_table"; echo; fi
log "results: $out.md, chart: $out.png, samples: $out.tsv"
