#!/usr/bin/env bash
# Load on the daemon: `joulegov govern` on a live virtual Nano; LoadHarness makes CALLS inferences from THREADS
# threads through one GovernedPredictor, then CLIENTS socket clients connect at once and drop. Prints what was
# delivered (the wrapper's count and the daemon's own, from /metrics), and the daemon's RSS and CPU under the load.
# Usage: bench/load.sh [calls, default 1000000] [threads, default 64] [clients, default 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-1000000}"; threads="${2:-64}"; clients="${3:-1000}"
mvn -B -q -DskipTests install >/dev/null
mvn -B -q -pl cli dependency:build-classpath -Dmdep.outputFile="$PWD/target/cli.cp" -Dmdep.includeScope=test >/dev/null
dir="$(mktemp -d)"
./joulegov simulate --board nano --root "$dir/board" > /dev/null 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 2
./joulegov profile --no-emc --virtual nano --model bert-tiny --grid sparse --inferences 100 --reruns 3 --cache "$dir/cache" > /dev/null
sock="$dir/board/run/joulegov/joulegov.sock"
port=19465
ulimit -n 4096
./joulegov govern --root "$dir/board" --cache "$dir/cache" --allow-virtual-profiles --socket "$sock" --metrics-port $port > "$dir/govern.log" 2>&1 &
gov=$!
sleep 4
pid=$(pgrep -f "joulegov.jar govern --root $dir/board" | head -1)
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); w0=$(date +%s.%N)
peak=$rss0
( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$pid/status" >> "$dir/rss"; sleep 0.5; done ) &
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
java -Dai.djl.offline=true -cp "cli/target/test-classes:cli/target/classes:$(cat target/cli.cp)" \
  io.joulegov.cli.bench.LoadHarness "$sock" bert-tiny "$calls" "$threads" "$clients" 2>/dev/null
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); w1=$(date +%s.%N)
rss1=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
peak=$(sort -n "$dir/rss" | tail -1)
count=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^joulegov_inference_latency_seconds_count\{model="bert-tiny"\}/ {print $2}')
echo "daemon received=${count} latencies; RSS before=$((rss0 / 1024)) MB peak=$((peak / 1024)) MB after=$((rss1 / 1024)) MB;" \
  "CPU $(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v w="$(echo "$w1 - $w0" | bc)" 'BEGIN {printf "%.1f%% of one core over %.0f s", 100 * t / hz / w, w}')"
kill $gov; wait $gov 2>/dev/null || true
echo "daemon warnings/errors in its log: $(grep -c "WARN\|ERROR" "$dir/govern.log" || true)"
