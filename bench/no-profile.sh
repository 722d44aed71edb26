#!/usr/bin/env bash
# The governor with no profile at all (issue 14): for each workload and unit of the virtual board, joulegov compare
# --no-profile runs 600 s of board time in which adaptive learns the model from nothing (starting at the fastest
# point) and writes what it learned; a second compare, 120 s, starts from that learned profile (markdown rows). The
# oracle is the cheapest fixed point that met the budget over the same run, found from a full sweep of the unit.
# Usage: bench/no-profile.sh [board] [units] [slowdown] [percentile] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
board="${1:-nano}"; units="${2:-0 3}"; slowdown="${3:-1.4}"; pct="${4:-p99}"; seconds="${5:-600}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "| workload | unit | dvfs mJ | ${seconds} s from nothing: saving adaptive | saving oracle | adaptive/oracle | misses | rows learned | then 120 s from them: adaptive/oracle | misses |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() {
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); m = d["modes"]
e = lambda k: m[k]["energyJPerInference"]
print(sys.argv[2] % (1e3 * e("dvfs"), 100 * m["adaptive"]["savingVsDvfs"], 100 * m["oracle"]["savingVsDvfs"],
      e("adaptive") / e("oracle"), 100 * m["adaptive"]["missRate"]) if sys.argv[2] else "%.3f | %.2f%%" % (e("adaptive") / e("oracle"), 100 * m["adaptive"]["missRate"]))' "$@"
}
for w in alexnet resnet18 mobilenet-v2 yolov4-tiny bert-tiny distilbert; do
  for u in $units; do
    ./joulegov compare --virtual "$board" --unit "$u" --model "$w" --slowdown "$slowdown" --percentile "$pct" \
      --no-profile --duration "$seconds" --save-learned "$tmp/$w-$u.json" --json > "$tmp/first.json"
    first="$(row "$tmp/first.json" '%.1f | %.1f%% | %.1f%% | %.3f | %.2f%%')"
    learned="$(python3 -c 'import json, sys; print(sum(r["source"] == "learned" for r in json.load(open(sys.argv[1]))["rows"]))' "$tmp/$w-$u.json")"
    ./joulegov compare --virtual "$board" --unit "$u" --model "$w" --slowdown "$slowdown" --percentile "$pct" \
      --profile "$tmp/$w-$u.json" --json > "$tmp/second.json"
    echo "| $w | $u | $first | $learned | $(row "$tmp/second.json" '') |"
  done
done
