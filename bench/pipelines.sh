#!/usr/bin/env bash
# Pipelines (issue 28): three pairs of models side by side on a virtual board, joulegov compare with each --model
# paired with a --rate, 1.4x at p99 for each member (against its latency at the top clocks with the other running),
# SECONDS of board time per mode. The rates keep the board about half busy at its top clocks: a detector at a camera's
# rate with a classifier on two detections a frame, two image models on one camera stream, a language model beside
# an image model; the Xavier NX, about twice the Nano's speed, gets twice the rates. Savings against dvfs (board energy
# over the run, the same requests in every mode); in brackets the worst member's misses where over 1%.
# Usage: bench/pipelines.sh [board] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
board="${1:-nano}"; seconds="${2:-120}"
case "$board" in nano) f=1 ;; xavier-nx) f=2 ;; *) f=2 ;; esac
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "| board | pipeline (requests a second) | dvfs W | jetson-clocks | power mode | max-of-singles | adaptive | oracle | adaptive/oracle | max-of-singles/oracle | worst member's misses: max-of-singles, adaptive | adaptive's mix: predicted/measured W, last minute |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for pipeline in "yolov4-tiny 5 resnet18 10" "mobilenet-v2 10 alexnet 10" "bert-tiny 20 mobilenet-v2 15"; do
  set -- $pipeline
  ./joulegov compare --virtual "$board" --model "$1" --rate "$(($2 * f))" --model "$3" --rate "$(($4 * f))" \
    --slowdown 1.4 --percentile p99 --duration "$seconds" --json | python3 -c '
import json, sys
d = json.load(sys.stdin); m = d["modes"]
worst = lambda k: max(v["missRate"] for v in m[k]["members"].values())
s = lambda k: "%.1f%%" % (100 * m[k]["savingVsDvfs"]) + (" (%.0f%% missed)" % (100 * worst(k)) if worst(k) > 0.01 else "")
mode = [k for k in m if k.startswith("mode-")][0]
pipe = " + ".join("%s (%g)" % (x["model"], x["rate"]) for x in d["members"])
mix = m["adaptive"].get("mix")
fit = "%.3f" % (mix["predictedWatts"] / mix["measuredWatts"]) if mix else "no mix"
print("| %s | %s | %.2f | %s | %s %s | %s | %s | %s | %.3f | %.3f | %.2f%%, %.2f%% | %s |" % (d["board"], pipe,
      m["dvfs"]["watts"], s("jetson-clocks"), mode, s(mode), s("max-of-singles"), s("adaptive"), s("oracle"),
      m["adaptive"]["energyJ"] / m["oracle"]["energyJ"], m["max-of-singles"]["energyJ"] / m["oracle"]["energyJ"],
      100 * worst("max-of-singles"), 100 * worst("adaptive"), fit))'
done
