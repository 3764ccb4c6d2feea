#!/usr/bin/env bash
# The codec's compression figures (issue 7), end to end with the real commands:
#   1. builds the sluice and benchmark jars;
#   2. writes the training answers (JSONL) and the held-out streams from ../shared/corpus into
#      sluice-bench/target/codec/ (CodecStreams, with HeldOut's split: prompts held out by hash, 3
#      AlpacaEval models held out whole), each held-out answer in every real server's stream shape
#      (streams/SET/FAMILY/: openai-chat, openai-tools, openai-responses, anthropic, ollama-chat,
#      ollama-generate, vllm, tgi, llamacpp, python-sse, openai-json, ollama-json, and demo), cut
#      with the o200k_base tokenizer, each stream with its answer text in a NAME.text sidecar;
#   3. `sluice codec train` on the training answers, tuned on about 600 other training answers framed
#      as the demo upstream streams them (streams/train/);
#   4. `sluice codec bench --json` on 1,000 held-out AlpacaEval answers and on the held-out
#      Arena-Hard answers, separately, every family of each reported on its own;
#   5. prints the table of wire bytes per byte of answer text for every family (sluice codec,
#      gzip -6, zstd -19 with the model's dictionary), then every method for openai-chat.
# Everything derived from the AlpacaEval corpus (non-commercial) stays in sluice-bench/target/.
# Env: CORPUS (default ../shared/corpus), STREAMS (AlpacaEval streams, default 1000), SKIP_BUILD=1.
# Exit: 0, or the bench's exit code when a stream does not round-trip (1).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${CORPUS:-$root/../shared/corpus}"
streams="${STREAMS:-1000}"
out="$root/sluice-bench/target/codec"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$root" && ./mvnw -q -B -DskipTests package -pl sluice-app,sluice-bench -am) >&2
fi
bench_jar="$root/sluice-bench/target/benchmarks.jar"
sluice_jar="$root/sluice-app/target/sluice.jar"

java -cp "$bench_jar" dev.sluice.bench.CodecStreams "$corpus" "$out" "$streams" >&2
java -jar "$sluice_jar" codec train --corpus "$out/train.jsonl" --streams "$out/streams/train" \
  --out "$out/model.slcm" >&2

status=0
for set in alpaca-eval arena-hard; do
  java -jar "$sluice_jar" codec bench --streams "$out/streams/$set" --model "$out/model.slcm" \
    --json > "$out/$set.json" || status=$?
done

{
  echo "Codec bench, $(date -u +%Y-%m-%dT%H:%MZ), model trained by sluice codec train on"
  echo "$out/train.jsonl; streams of held-out prompts and models ($out/split.txt), in the"
  echo "stream shape of each real server (one directory per family under $out/streams/SET/)."
  echo
  java -cp "$bench_jar" dev.sluice.bench.CodecReport \
    "AlpacaEval=$out/alpaca-eval.json" "Arena-Hard=$out/arena-hard.json"
} | tee "$out/report.md"
exit "$status"
