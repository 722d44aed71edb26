#!/usr/bin/env bash
# The soak: nothing may grow without bound.
#   bench/soak.sh virtual [HOURS]   HOURS (default 24) of board time on the virtual clock in one process: the daemon's
#                                   governor loop driving a virtual Nano, fed through an application's latency
#                                   reporter, workloads coming and going (with a profile, learned from nothing, or
#                                   with a budget no point keeps), both disturbances and another writer; one row per
#                                   board hour: heap after GC, live threads, the core's state sizes.
#   bench/soak.sh live [MINUTES]    MINUTES (default 30) of wall time on a live board: `simulate` with a resnet18 stream
#                                   reporting over the socket to `govern` (100 ms sampling, /metrics scraped every
#                                   15 s); one row per ~MINUTES/10 minutes: the daemon's RSS, CPU, descriptors, threads.
set -euo pipefail
cd "$(dirname "$0")/.."
part="${1:-virtual}"
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
if [ "$part" = virtual ]; then
  hours="${2:-24}"
  mvn -B -q -DskipTests install >/dev/null
  mkdir -p target
  mvn -B -q -pl cli dependency:build-classpath -Dmdep.outputFile="$PWD/target/cli.cp" -Dmdep.includeScope=test >/dev/null
  exec java -Xmx256m -Dai.djl.offline=true -cp "cli/target/test-classes:cli/target/classes:$(cat target/cli.cp)" \
    io.joulegov.cli.bench.SoakHarness "$hours"
fi
minutes="${2:-30}"
dir="$(mktemp -d)"
./joulegov boards --virtual nano > /dev/null   # builds the jar if needed
sock="$dir/board/run/joulegov/joulegov.sock"
./joulegov simulate --board nano --root "$dir/board" --workload resnet18 --rate 20 --socket "$sock" --slowdown 1.3 \
  > /dev/null 2>&1 &
sim=$!
trap 'kill $sim ${gov:-} ${scraper:-} 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 2
./joulegov profile --no-emc --virtual nano --model resnet18 --grid sparse --inferences 100 --reruns 3 \
  --cache "$dir/board/var/lib/joulegov/models-cache" > /dev/null
port=19465
./joulegov govern --root "$dir/board" --allow-virtual-profiles --metrics-port $port --sample-ms 100 > "$dir/govern.log" 2>&1 &
gov=$!
while [ ! -S "$sock" ]; do sleep 0.05; done
( while sleep 15; do curl -s "http://127.0.0.1:$port/metrics" > /dev/null || true; done ) &
scraper=$!
sleep 10
pid=$(pgrep -f "joulegov.jar govern --root $dir/board" | head -1)
hz=$(getconf CLK_TCK)
echo
echo "| minute | RSS | CPU since the last row (share of one core) | descriptors | threads | inferences counted |"
echo "|---|---|---|---|---|---|"
step=$(( minutes * 60 / 10 )); [ "$step" -ge 1 ] || step=1
t_prev=$(awk '{print $14 + $15}' "/proc/$pid/stat"); s_prev=$(date +%s)
for i in $(seq 0 10); do
  [ "$i" = 0 ] || sleep "$step"
  t=$(awk '{print $14 + $15}' "/proc/$pid/stat"); s=$(date +%s)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status"); threads=$(awk '/Threads/ {print $2}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  count=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^joulegov_inference_latency_seconds_count/ {print $2}')
  cpu=$(awk -v d="$((t - t_prev))" -v hz="$hz" -v w="$((s - s_prev))" 'BEGIN {printf "%.2f%%", (w > 0 ? 100 * d / hz / w : 0)}')
  printf '| %d | %.1f MB | %s | %d | %d | %s |\n' $(( i * step / 60 )) "$(echo "$rss / 1024" | bc -l)" "$cpu" "$fds" "$threads" "${count:-0}"
  t_prev=$t; s_prev=$s
done
