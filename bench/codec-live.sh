#!/usr/bin/env bash
# The codec live, where users feel it (issue 13, item 4): a real `sluice run` and a real
# `sluice edge` on loopback in front of the paced family upstream, measured against a direct
# listener of the same gateway at the same moment.
#
#   bench/codec-live.sh            # link on plain TCP: writes sluice-bench/target/codec/live.md
#   TLS=1 bench/codec-live.sh      # link over TLS:     writes sluice-bench/target/codec/live-tls.md
#
# It starts, each on a free port with a ready file, and stops by PID on exit (also when
# interrupted):
#   1. FamilyUpstream: every API family's exact stream at its real endpoint, held-out corpus answers
#      (AlpacaEval if present, else Arena-Hard) cut by o200k, EVENTS_PER_SECOND per stream;
#   2. `sluice run` with two reverse listeners on it: `edge` (peer: edge; with TLS=1 over TLS, a
#      self-signed certificate made by openssl) and `direct`; the codec model is the built-in one
#      (the default settings a user gets); MODEL=FILE picks another, e.g. the one bench/codec.sh
#      builds (MODEL=sluice-bench/target/codec/model.slcm);
#   3. `sluice edge` in front of the `edge` listener, with the same model.
# Then LiveBench (dev.sluice.bench.live) runs, for each family and each concurrency, pairs of
# keep-alive clients for CASE_SECONDS (each pair sends the same request to the edge and to the
# direct listener at the same moment, request after request; the pairs start spread over the first
# RAMP_MS; answers in flight at the end finish, so a case lasts CASE_SECONDS plus its longest
# answer, which at 50 events a second can be a minute or more), and
# reports per family and concurrency:
#   - charged link bytes per byte of answer text: the growth of sluice_egress_bytes_total
#     {listener="edge"} in the gateway's /metrics over the case (the tenants' shares of the frames
#     plus the link's own bytes paid from the control allowance) over the UTF-8 bytes of the
#     answers delivered, each checked byte for byte against the SHA-256 the upstream logged;
#   - the same for the direct listener;
#   - added latency through the edge: per event (arrival at the client minus the upstream's send
#     time of that event, edge minus direct, pair by pair) and to the first byte, p50 and p99.
# Everything derived from the AlpacaEval corpus (non-commercial) stays under target/.
#
# Settings (environment, defaults in brackets):
#   FAMILIES ["openai-chat openai-responses anthropic ollama-chat vllm"]  any of sluice codec's
#            families: openai-chat openai-tools openai-responses anthropic ollama-chat
#            ollama-generate vllm tgi llamacpp python-sse openai-json ollama-json
#   STREAMS ["1 24"]  CASE_SECONDS [30]  EVENTS_PER_SECOND [50]  TLS [0]
#   RAMP_MS [1000]  the pairs' first requests are spread over this much time (0: all at once)
#   FLUSH_WINDOW [unset: the gateway's default, 30ms]  MODEL [see above]  SEED [1]
#   CORPUS [../shared/corpus beside the repository]  SKIP_BUILD [0]  KEEP_WORK [0]
# Exit: 0, or 1 when a response failed or was not exactly the upstream's bytes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FAMILIES=${FAMILIES:-openai-chat openai-responses anthropic ollama-chat vllm}
STREAMS=${STREAMS:-1 24}
CASE_SECONDS=${CASE_SECONDS:-30}
EVENTS_PER_SECOND=${EVENTS_PER_SECOND:-50}
TLS=${TLS:-0}
FLUSH_WINDOW=${FLUSH_WINDOW:-}
SEED=${SEED:-1}
CORPUS=${CORPUS:-$root/../shared/corpus}
out="$root/sluice-bench/target/codec"
MODEL=${MODEL:-}

log() { printf '[codec-live %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the jars"
  (cd "$root" && ./mvnw -q -B -DskipTests package -pl sluice-app,sluice-bench -am </dev/null) >&2
fi
bench_jar="$root/sluice-bench/target/benchmarks.jar"
sluice_jar="$root/sluice-app/target/sluice.jar"
[ -f "$bench_jar" ] && [ -f "$sluice_jar" ] || die "jars missing: run without SKIP_BUILD=1"
if [ -f "$CORPUS/alpaca-eval-outputs.jsonl.gz" ]; then
  corpus_set=alpaca-eval; corpus_name="AlpacaEval (held-out prompts and models)"
elif [ -f "$CORPUS/arena-hard-answers.jsonl.gz" ]; then
  corpus_set=arena-hard; corpus_name="Arena-Hard (held-out prompts)"
else
  die "no corpus in $CORPUS (set CORPUS=DIR)"
fi
model_args=()
if [ -f "$MODEL" ]; then
  model_args=(--model "$MODEL")
fi
mkdir -p "$out"

# ---- processes: every one started here is stopped by PID -------------------------------------
work=$(mktemp -d /tmp/sluice-codec-live.XXXXXX)
pids=()     # servers, stopped in reverse order
current=""  # the client in the foreground
stop_pid() { # TERM, up to 15 s, then KILL
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
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

wait_ready() { # FILE PID NAME: until the process has written its ready file
  local i
  for i in $(seq 600); do
    kill -0 "$2" 2>/dev/null || die "$3 exited at start; see $work/$3.log"
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  die "$3 wrote no $1 within 60 s; see $work/$3.log"
}
json_field() { # FILE KEY: the string value of "KEY":"..." in a one-line ready file
  sed -nE "s/.*\"$2\":\"([^\"]+)\".*/\1/p" "$1"
}
wait_readyz() { # HOST:PORT
  local i host=${1%:*} port=${1##*:}
  for i in $(seq 300); do
    if { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null; then
      printf 'GET /readyz HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n' >&3
      if head -n 1 <&3 | grep -q ' 200 '; then exec 3<&-; return 0; fi
      exec 3<&-
    fi
    sleep 0.1
  done
  die "the gateway's /readyz did not answer 200 within 30 s; see $work/sluice.log"
}

log "family upstream: $corpus_name, $EVENTS_PER_SECOND events a second per stream"
java -cp "$bench_jar" dev.sluice.bench.upstream.FamilyUpstream 0 "$CORPUS" "$EVENTS_PER_SECOND" \
  "$corpus_set" "$work/upstream.json" </dev/null >"$work/upstream.log" 2>&1 &
pids+=($!); wait_ready "$work/upstream.json" "$!" upstream
upstream="http://$(json_field "$work/upstream.json" listen)"

tls_yaml=""
edge_tls=()
if [ "$TLS" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" >"$work/openssl.log" 2>&1 \
    || die "openssl could not make a certificate; see $work/openssl.log"
  tls_yaml=", tls: { cert: \"$work/cert.pem\", key: \"$work/key.pem\" }"
  edge_tls=(--tls --tls-ca "$work/cert.pem" --tls-server-name localhost)
fi
codec_yaml=""
[ -f "$MODEL" ] && codec_yaml="model: \"$MODEL\""
[ -n "$FLUSH_WINDOW" ] && codec_yaml="${codec_yaml:+$codec_yaml, }flush_window: $FLUSH_WINDOW"
codec_line=""
[ -n "$codec_yaml" ] && codec_line="codec: { $codec_yaml }"
cat >"$work/sluice.yaml" <<YAML
site: live
model: { name: live, weight_bytes: 810GB }
time_zone: UTC
data_dir: "$work/data"
budgets:
  limits: [ { window: day, cap: 100GB } ]
  control_allowance: 1GB
  zones:
    inference:
      tenants:
        acme: {}
listeners:
  - { name: edge, mode: reverse, bind: "127.0.0.1:0", upstream: "$upstream", zone: inference, tenant_header: X-Tenant, peer: edge$tls_yaml }
  - { name: direct, mode: reverse, bind: "127.0.0.1:0", upstream: "$upstream", zone: inference, tenant_header: X-Tenant }
admin: { bind: "127.0.0.1:0" }
$codec_line
YAML
log "sluice run"
java -jar "$sluice_jar" run --config "$work/sluice.yaml" --ready-file "$work/gateway.json" \
  </dev/null >"$work/sluice.log" 2>&1 &
pids+=($!); wait_ready "$work/gateway.json" "$!" sluice
wait_readyz "$(json_field "$work/gateway.json" admin)"
model_line=$(grep -m1 -o 'codec model: .*' "$work/sluice.log" || echo "codec model: unknown")

log "sluice edge"
java -jar "$sluice_jar" edge --listen 127.0.0.1:0 --gateway "$(json_field "$work/gateway.json" edge)" \
  --ready-file "$work/edge.json" "${model_args[@]}" "${edge_tls[@]}" \
  </dev/null >"$work/edge.log" 2>&1 &
pids+=($!); wait_ready "$work/edge.json" "$!" edge

report="$out/live.md"
variant=""
[ "$TLS" = 1 ] && report="$out/live-tls.md" && variant=" (TLS=1)"
link="plain TCP (a CRC32C per frame)"
[ "$TLS" = 1 ] && link="TLS (records charged; no CRC)"
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || echo unknown)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
java_version=$(java -version 2>&1 | head -n 1)
log "measuring: ${FAMILIES// /, } at ${STREAMS// /, } streams, $CASE_SECONDS s a case"
java -cp "$bench_jar" dev.sluice.bench.live.LiveBench \
  --gateway-ready "$work/gateway.json" --edge-ready "$work/edge.json" \
  --upstream-ready "$work/upstream.json" \
  --families "$(echo $FAMILIES | tr ' ' ',')" --streams "$(echo $STREAMS | tr ' ' ',')" \
  --seconds "$CASE_SECONDS" --ramp-ms "${RAMP_MS:-1000}" --seed "$SEED" --out "$report" \
  --note "Live codec bench, $(date -u +%Y-%m-%dT%H:%MZ): bench/codec-live.sh$variant" \
  --note "Machine: $(nproc) cores ($cpu), $mem, $(uname -sr), $java_version; gateway, edge, upstream and clients on this one machine, loopback" \
  --note "Link: $link; flush window ${FLUSH_WINDOW:-default (30ms)}; $model_line" \
  --note "Answers: $corpus_name, o200k tokens, $EVENTS_PER_SECOND events a second per stream; keep-alive clients in pairs (edge, direct) starting over ${RAMP_MS:-1000} ms, then request after request for $CASE_SECONDS s a case" \
  --note "Charged bytes: growth of sluice_egress_bytes_total{listener=\"edge\"} (tenants' frame shares and the link's own bytes, from the control allowance) and {listener=\"direct\"} in the gateway's /metrics, over the answers' text bytes (each body checked against the upstream's SHA-256)" \
  </dev/null &
current=$!
rc=0; wait "$current" || rc=$?; current=""
log "wrote $report"
exit "$rc"
