#!/usr/bin/env bash
# profile --attach (issue 15): a live virtual board runs a workload's stream in real time (joulegov simulate --workload
# W --socket S: back to back, or Poisson arrivals at a rate), and joulegov profile --attach --grid sparse profiles it
# from the latencies the stream reports. Each row takes a budget (p95, a slowdown of the full sweep's fastest point)
# and compares the attached profile's recommend choice with the choice from a full sweep of the same virtual board
# (profile --virtual, on the virtual clock): the attached choice's energy in the full sweep over the full sweep's
# least, and the attached profile's energy at that point over the full sweep's.
# Usage: bench/attach.sh [board] [workload] [rates] [inferences per run]
set -euo pipefail
cd "$(dirname "$0")/.."
board="${1:-nano}"; workload="${2:-resnet18}"; rates="${3:-0 25}"; n="${4:-200}"
tmp="$(mktemp -d)"; sim=""
trap 'if [ -n "$sim" ]; then kill "$sim" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
./joulegov profile --no-emc --virtual "$board" --model "$workload" --grid full --out "$tmp/full.json" --json > /dev/null
echo "| $workload on the virtual $board, stream | points measured | wall s | slowdown (p95) | budget ms | attached choice (CPU MHz / GPU MHz) | its energy / full sweep's least | attached energy / full sweep's there |"
echo "|---|---|---|---|---|---|---|---|"
for rate in $rates; do
  ./joulegov simulate --board "$board" --root "$tmp/board-$rate" --workload "$workload" --rate "$rate" \
    --socket "$tmp/s-$rate.sock" > "$tmp/sim-$rate.log" 2>&1 &
  sim=$!
  until [ -e "$tmp/board-$rate/sys/devices/system/cpu/cpufreq/policy0/scaling_governor" ]; do sleep 0.2; done
  ./joulegov profile --no-emc --attach --root "$tmp/board-$rate" --socket "$tmp/s-$rate.sock" --grid sparse \
    --inferences "$n" --reruns 3 --out "$tmp/attached-$rate.json" --json > "$tmp/attached-$rate.out" 2> /dev/null
  kill "$sim"; wait "$sim" || true; sim=""
  stream="$([ "$rate" = 0 ] && echo "back to back" || echo "$rate/s Poisson")"
  python3 - "$tmp/full.json" "$tmp/attached-$rate.json" "$tmp/attached-$rate.out" "$stream" <<'PYEOF'
import json, subprocess, sys
full_file, attached_file, out_file, stream = sys.argv[1:]
full = json.load(open(full_file))
run = json.load(open(out_file))
at = {(r["cpuKHz"], r["gpuHz"]): r for r in full["rows"]}
top = at[(max(k[0] for k in at), max(k[1] for k in at))]
def choice(profile, budget):
    out = subprocess.run(["./joulegov", "recommend", "--profile", profile, "--budget-ms", "%.3f" % budget,
                          "--percentile", "p95", "--json"], capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else None
for slowdown in (1.1, 1.2, 1.3, 1.4, 1.6):
    budget = slowdown * top["p95Ms"]
    mine, best = choice(attached_file, budget), choice(full_file, budget)
    if mine is None or best is None:
        print("| %s | | | %.1f | %.1f | none | | |" % (stream, slowdown, budget))
        continue
    point = at[(mine["cpuKHz"], mine["gpuHz"])]
    print("| %s | %d | %.0f | %.1f | %.1f | %d / %d%s | %.3f | %.3f |" % (stream, run["pointsMeasured"], run["wallSeconds"],
          slowdown, budget, mine["cpuKHz"] // 1000, mine["gpuHz"] // 1000000, " (predicted)" if mine["predicted"] else "",
          point["energyJ"] / best["energyJ"], mine["energyJ"] / point["energyJ"]))
PYEOF
done
