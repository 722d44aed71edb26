#!/usr/bin/env bash
# joulegov compare on a virtual board for the six workloads, without and with disturbances (markdown rows).
# Usage: bench/compare.sh [board] [slowdown] [percentile]
set -euo pipefail
cd "$(dirname "$0")/.."
board="${1:-nano}"; slowdown="${2:-1.4}"; pct="${3:-p99}"
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "| workload | disturbance | dvfs mJ | saving static | saving adaptive | saving oracle | adaptive/oracle energy | misses static | misses adaptive |"
echo "|---|---|---|---|---|---|---|---|---|"
for w in alexnet resnet18 mobilenet-v2 yolov4-tiny bert-tiny distilbert; do
  for d in none thermal cpu-contention; do
    ./joulegov compare --virtual "$board" --model "$w" --slowdown "$slowdown" --percentile "$pct" --disturbance "$d" --json \
      | python3 -c '
import json, sys
d = json.load(sys.stdin); m = d["modes"]
e = lambda k: m[k]["energyJPerInference"]
print("| %s | %s | %.1f | %.1f%% | %.1f%% | %.1f%% | %.3f | %.2f%% | %.2f%% |" % (d["model"], sys.argv[1], 1e3 * e("dvfs"),
      100 * m["static"]["savingVsDvfs"], 100 * m["adaptive"]["savingVsDvfs"], 100 * m["oracle"]["savingVsDvfs"],
      e("adaptive") / e("oracle"), 100 * m["static"]["missRate"], 100 * m["adaptive"]["missRate"]))' "$d"
  done
done
