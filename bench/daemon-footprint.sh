#!/usr/bin/env bash
# Resident set and CPU of `joulegov govern` holding a live virtual Nano with one registered model and no traffic
# (the launcher's daemon JVM options), sampling power every 100 ms and serving /metrics, scraped every 15 s as a
# Prometheus would. Prints a markdown row per window, then checks the scrape with the Prometheus Python client's parser
# (Debian: python3-prometheus-client) when it is installed.
# Usage: bench/daemon-footprint.sh [seconds to measure ...]   (default 30; several give a row each, e.g. 30 600:
# the first seconds still carry start-up's compilation and garbage)
set -euo pipefail
cd "$(dirname "$0")/.."
windows=("${@:-30}")
secs="$(printf '%s\n' "${windows[@]}" | sort -n | tail -1)"
dir="$(mktemp -d)"
./joulegov boards --virtual nano > /dev/null   # builds the jar if needed
./joulegov simulate --board nano --root "$dir/board" --duration $((secs + 40)) > /dev/null 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 2
./joulegov profile --no-emc --virtual nano --model resnet18 --grid sparse --inferences 100 --reruns 3 \
  --cache "$dir/board/var/lib/joulegov/models-cache" > /dev/null
port=19464
start=$(date +%s.%N)
./joulegov govern --root "$dir/board" --model resnet18 --slowdown 1.3 --allow-virtual-profiles --metrics-port $port \
  --sample-ms 100 --duration $((secs + 15)) > /dev/null 2>&1 &
sock="$dir/board/run/joulegov/joulegov.sock"
while [ ! -S "$sock" ]; do sleep 0.01; done
ready=$(date +%s.%N)
sleep 8
( while sleep 15; do curl -s "http://127.0.0.1:$port/metrics" > "$dir/scrape.txt" || true; done ) &
scraper=$!
trap 'kill $sim $scraper 2>/dev/null || true; rm -rf "$dir"' EXIT
pid=$(pgrep -f "joulegov.jar govern --root $dir/board" | head -1)
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "govern, one model, no traffic, 100 ms power sampling, /metrics scraped every 15 s; measured from 8 s after its socket:"
echo
echo "| measured for | RSS | peak RSS so far | CPU (share of one core) |"
echo "|---|---|---|---|"
waited=0
for w in $(printf '%s\n' "${windows[@]}" | sort -n); do
  sleep $((w - waited))
  waited=$w
  t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  awk -v rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")" -v hwm="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")" \
    -v ticks="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v s="$w" \
    'BEGIN {printf "| %d s | %.1f MB | %.1f MB | %.2f%% |\n", s, rss / 1024, hwm / 1024, 100 * ticks / hz / s}'
done
echo
echo "Start-up: $(echo "$ready - $start" | bc | awk '{printf "%.2f", $1}') s from launching \`joulegov govern\` (launcher, JVM, discovery, profile, first pin) to its control socket"
echo
curl -s "http://127.0.0.1:$port/metrics" > "$dir/scrape.txt"
py=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import prometheus_client' 2>/dev/null; then py="$candidate"; break; fi
done
if [ -n "$py" ]; then
  "$py" - "$dir/scrape.txt" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
samples = sum(len(f.samples) for f in families)
print(f"/metrics parsed by prometheus_client: {len(families)} families, {samples} samples, "
      f"joulegov families: {', '.join(sorted(f.name for f in families if f.name.startswith('joulegov')))}")
PY
else
  echo "/metrics: python3-prometheus-client not installed, parser check skipped"
fi
kill $scraper 2>/dev/null || true
wait $sim 2>/dev/null || true
