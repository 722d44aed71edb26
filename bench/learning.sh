#!/usr/bin/env bash
# The governor on units it was not profiled on (issue 14): for each workload, a sparse profile of unit 0 of the
# virtual board, then joulegov compare on units 1..N governed with that profile (markdown rows). The oracle is the
# cheapest fixed point that met the budget over the same run, found from a full sweep of the unit itself.
# Usage: bench/learning.sh [board] [units] [slowdown] [percentile]
set -euo pipefail
cd "$(dirname "$0")/.."
board="${1:-nano}"; units="${2:-3}"; slowdown="${3:-1.4}"; pct="${4:-p99}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "| workload | unit | dvfs mJ | saving jetson-clocks | saving low-power (misses) | saving static | saving adaptive | saving oracle | static/oracle | adaptive/oracle | misses static | misses adaptive |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for w in alexnet resnet18 mobilenet-v2 yolov4-tiny bert-tiny distilbert; do
  ./joulegov profile --no-emc --virtual "$board" --model "$w" --grid sparse --out "$tmp/$w.json" > /dev/null
  for u in $(seq 1 "$units"); do
    ./joulegov compare --virtual "$board" --unit "$u" --model "$w" --slowdown "$slowdown" --percentile "$pct" \
      --profile "$tmp/$w.json" --json | python3 -c '
import json, sys
d = json.load(sys.stdin); m = d["modes"]
low = next(k for k in m if k.startswith("mode-"))  # the lowest power mode: the only other one on nano and xavier-nx
e = lambda k: m[k]["energyJPerInference"]
s = lambda k: 100 * m[k]["savingVsDvfs"]
print("| %s | %s | %.1f | %.1f%% | %.1f%% (%.2f%%) | %.1f%% | %.1f%% | %.1f%% | %.3f | %.3f | %.2f%% | %.2f%% |" % (d["model"], sys.argv[1],
      1e3 * e("dvfs"), s("jetson-clocks"), s(low), 100 * m[low]["missRate"], s("static"), s("adaptive"),
      s("oracle"), e("static") / e("oracle"), e("adaptive") / e("oracle"), 100 * m["static"]["missRate"],
      100 * m["adaptive"]["missRate"]))' "$u"
  done
done
