#!/usr/bin/env bash
# The Orin Nano Super (issue 27): for each workload, joulegov compare on the virtual orin-nano-super with the EMC as a
# third axis, against the default governors (dvfs, in MAXN_SUPER), every other power mode, and joulegov's own governor
# with the EMC left to the kernel (emc-blind); static and adaptive govern with a full three-axis sweep of the board.
# Usage: bench/orin.sh [slowdown] [percentile] [load] [seconds]   (load: Poisson arrivals at that fraction of the
# throughput at the top clocks; 0 runs back to back)
set -euo pipefail
cd "$(dirname "$0")/.."
slowdown="${1:-1.4}"; pct="${2:-p99}"; load="${3:-0}"; seconds="${4:-120}"
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "| workload | dvfs mJ | mode-15W | mode-25W | mode-7W | emc-blind | static | adaptive | oracle | adaptive vs emc-blind | misses emc-blind | misses adaptive |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
arrivals=(); [ "$load" != 0 ] && arrivals=(--load "$load")
for w in alexnet resnet18 mobilenet-v2 yolov4-tiny bert-tiny distilbert; do
  ./joulegov compare --virtual orin-nano-super --model "$w" --slowdown "$slowdown" --percentile "$pct" \
    --duration "$seconds" "${arrivals[@]}" --json | python3 -c '
import json, sys
d = json.load(sys.stdin); m = d["modes"]
e = lambda k: m[k]["energyJPerInference"]
s = lambda k: "%.1f%%" % (100 * m[k]["savingVsDvfs"]) + (" (%.0f%% missed)" % (100 * m[k]["missRate"]) if m[k]["missRate"] > 0.01 else "")
less = 100 * (1 - e("adaptive") / e("emc-blind"))
print("| %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %.1f%% %s | %.2f%% | %.2f%% |" % (d["model"], 1e3 * e("dvfs"),
      s("mode-15W"), s("mode-25W"), s("mode-7W"), s("emc-blind"), s("static"), s("adaptive"), s("oracle"),
      abs(less), "less" if less >= 0 else "more", 100 * m["emc-blind"]["missRate"], 100 * m["adaptive"]["missRate"]))'
done
