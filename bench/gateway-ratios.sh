#!/usr/bin/env bash
# Quick side-by-side figures for the gateway, on loopback, in one run:
#   1. bulk egress: BYTES through a `tcp` listener (metering on) against direct to the sink;
#   2. 1 KiB HTTP responses through a `reverse` listener against direct to nginx (wrk).
# Runs alternate direct / sluice so drift cancels; prints the medians and ratios.
# Needs: nginx (Debian nginx-light), wrk; installs them with apt-get when missing (root).
# Everything it starts it stops by PID; it only listens on 127.0.0.1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BYTES=${BYTES:-1073741824}
RUNS=${RUNS:-3}
WRK_SECONDS=${WRK_SECONDS:-10}
WRK_CONNS=${WRK_CONNS:-32}

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update && apt-get install -y --no-install-recommends wrk nginx-light
fi
(cd "$root" && ./mvnw -q -B -DskipTests package) >&2
bench_jar="$root/sluice-bench/target/benchmarks.jar"
sluice_jar="$root/sluice-app/target/sluice.jar"

work=$(mktemp -d /tmp/sluice-ratios.XXXXXX)
chmod 755 "$work"  # nginx workers run as nobody when started as root: they must read www/
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
NGINX_PORT=$(free_port); SINK_PORT=$(free_port); API_PORT=$(free_port); TCP_PORT=$(free_port); ADMIN_PORT=$(free_port)

# nginx: a static 1 KiB file, keep-alive, as the upstream.
mkdir -p "$work/www" "$work/nginx"
head -c 1024 /dev/urandom > "$work/www/1k.bin"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGINX_PORT; root $work/www; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!)
java -cp "$bench_jar" dev.sluice.bench.TcpSink "$SINK_PORT" > "$work/sink.log" & pids+=($!)

cat > "$work/sluice.yaml" <<CONF
site: bench
model: { name: m, weight_bytes: 810GB }
data_dir: $work/data
budgets:
  limits: [ { window: day, cap: 10TB } ]
  zones:
    inference:
      tenants:
        default: { limits: [ { window: day, cap: 10TB } ] }
listeners:
  - { name: api, mode: reverse, bind: "127.0.0.1:$API_PORT", upstream: "http://127.0.0.1:$NGINX_PORT", zone: inference }
  - { name: bulk, mode: tcp, bind: "127.0.0.1:$TCP_PORT", upstream: "127.0.0.1:$SINK_PORT", zone: inference, egress: upstream }
admin: { bind: "127.0.0.1:$ADMIN_PORT" }
CONF
java -jar "$sluice_jar" run --config "$work/sluice.yaml" --ready-file "$work/ready.json" \
  > "$work/sluice.out" 2> "$work/sluice.err" & sluice_pid=$!; pids+=($sluice_pid)
for _ in $(seq 100); do [ -f "$work/ready.json" ] && break; sleep 0.2; done
[ -f "$work/ready.json" ] || { echo "sluice did not start:"; cat "$work/sluice.err"; exit 1; }

for port in "$NGINX_PORT" "$API_PORT"; do
  got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$port/1k.bin")
  [ "$got" = "200 1024" ] || { echo "GET /1k.bin on port $port: $got (want 200 1024)"; exit 1; }
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
blast() { java -cp "$bench_jar" dev.sluice.bench.TcpBlast 127.0.0.1 "$1" "$BYTES" | awk '{print $(NF-1)}'; }
rps() { wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECONDS}s" "http://127.0.0.1:$1/1k.bin" | awk '/Requests\/sec/ {print $2}'; }

echo "warming up" >&2
blast "$TCP_PORT" >/dev/null; wrk -t2 -c"$WRK_CONNS" -d3s "http://127.0.0.1:$API_PORT/1k.bin" >/dev/null
: > "$work/tcp_direct"; : > "$work/tcp_sluice"; : > "$work/http_direct"; : > "$work/http_sluice"
for i in $(seq "$RUNS"); do
  echo "run $i/$RUNS" >&2
  blast "$SINK_PORT" >> "$work/tcp_direct"
  blast "$TCP_PORT" >> "$work/tcp_sluice"
  rps "$NGINX_PORT" >> "$work/http_direct"
  rps "$API_PORT" >> "$work/http_sluice"
done

td=$(median < "$work/tcp_direct"); ts=$(median < "$work/tcp_sluice")
hd=$(median < "$work/http_direct"); hs=$(median < "$work/http_sluice")
echo
echo "| workload | direct | through sluice | sluice / direct |"
echo "|---|---|---|---|"
printf '| %s bytes over tcp (MiB/s, median of %d) | %.0f | %.0f | %.2f |\n' "$BYTES" "$RUNS" "$td" "$ts" "$(echo "$ts / $td" | bc -l)"
printf '| 1 KiB HTTP responses, wrk -c%d (req/s, median of %d) | %.0f | %.0f | %.2f |\n' "$WRK_CONNS" "$RUNS" "$hd" "$hs" "$(echo "$hs / $hd" | bc -l)"
echo
echo "raw: tcp direct $(tr '\n' ' ' < "$work/tcp_direct")/ sluice $(tr '\n' ' ' < "$work/tcp_sluice")"
echo "raw: http direct $(tr '\n' ' ' < "$work/http_direct")/ sluice $(tr '\n' ' ' < "$work/http_sluice")"
kill -TERM "$sluice_pid"; wait "$sluice_pid" 2>/dev/null || true
java -jar "$sluice_jar" ledger verify "$work/data" | grep -E "^(OK|FAIL)" || true
