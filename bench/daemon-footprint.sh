#!/usr/bin/env bash
# Resident set and CPU of `joulegov govern` holding a live virtual Nano with one registered model and no traffic
# (the launcher's daemon JVM options). Prints one markdown row.
# Usage: bench/daemon-footprint.sh [seconds to measure, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
dir="$(mktemp -d)"
./joulegov boards --virtual nano > /dev/null   # builds the jar if needed
./joulegov simulate --board nano --root "$dir/board" --duration $((secs + 40)) > /dev/null 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; rm -rf "$dir"' EXIT
sleep 2
./joulegov profile --virtual nano --model resnet18 --grid sparse --inferences 100 --reruns 3 \
  --cache "$dir/board/var/lib/joulegov/models-cache" > /dev/null
./joulegov govern --root "$dir/board" --model resnet18 --slowdown 1.3 --allow-virtual-profiles --duration $((secs + 15)) > /dev/null 2>&1 &
sleep 8
pid=$(pgrep -f "joulegov.jar govern --root $dir/board" | head -1)
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$secs"
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "| what | RSS | CPU (share of one core) over ${secs} s |"
echo "|---|---|---|"
awk -v rss="$rss" -v ticks="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v s="$secs" \
  'BEGIN {printf "| govern, one model, no traffic, no power sampling | %.1f MB | %.2f%% |\n", rss / 1024, 100 * ticks / hz / s}'
wait
