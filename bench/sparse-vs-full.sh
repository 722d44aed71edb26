#!/usr/bin/env bash
# Device time of full versus sparse profiling per workload on a virtual board, and the energy gap of the sparse
# profile's choice for budgets of 1.1x to 1.6x at p95, judged against the truth: the mean of two full sweeps (seeds 1
# and 2; one noisy sweep's minimum is biased low). The sparse plan is run with K other noise seeds (3, 4, ...), and so
# is a full sweep, whose choice shows what measurement noise alone costs: for each, the gap at each budget is averaged
# over the K seeds, and the worst budget's mean is printed, with the worst single seed's gap and how far the choice's
# p95 lies over the truth's budget (0.0%: it keeps it). A plan as good as a full sweep has the full sweep's figures.
# The last column is the floor of this yardstick: the choice made from the mean of those K full sweeps (K times a full
# sweep's board time), judged the same way; the truth's own noise keeps it above zero where many points lie within a
# percent or two of the best. On the founding study's boards (nano, xavier-nx) its CPU x GPU grid (--no-emc);
# elsewhere CPU x GPU x EMC, the profiler's default. Prints markdown rows. With SVF_DIR set, the profiles are kept
# there, and a full sweep already there is not run again (it does not depend on the sparse plan).
# Usage: bench/sparse-vs-full.sh [board] [inferences] [reruns] [workloads] [K]
set -euo pipefail
cd "$(dirname "$0")/.."
board="${1:-nano}"; n="${2:-800}"; r="${3:-3}"; workloads="${4:-alexnet resnet18 mobilenet-v2 yolov4-tiny bert-tiny distilbert}"
k="${5:-3}"
case "$board" in nano|xavier-nx) axes=--no-emc ;; *) axes=--emc ;; esac
if [ -n "${SVF_DIR:-}" ]; then dir="$SVF_DIR"; mkdir -p "$dir"; else dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT; fi
py=python3; "$py" -c 'import json' 2>/dev/null || py=/usr/bin/python3
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "| board | workload | full: points, board time | sparse: points, board time | sparse choice: gap, mean of $k seeds at the worst budget (worst seed; over its budget) | a full sweep's choice: the same | the choice of the mean of $k full sweeps: gap at the worst budget |"
echo "|---|---|---|---|---|---|---|"
profile() { # grid seed out; with SVF_DIR, a profile already there is kept (a full sweep does not depend on the plan)
  if [ -n "${SVF_DIR:-}" ] && [ -f "$3" ] && [ "$1" = full ]; then return; fi
  ./joulegov profile $axes --virtual "$board" --model "$w" --grid "$1" --inferences "$n" --reruns "$r" --seed "$2" \
    --out "$3" --json | tee "${3%.json}.out"
}
for w in $workloads; do
  profile full 1 "$dir/$w-full1.json" > /dev/null
  profile full 2 "$dir/$w-full2.json" > /dev/null
  for s in $(seq 3 $((k + 2))); do
    profile full "$s" "$dir/$w-full$s.json" > /dev/null
    profile sparse "$s" "$dir/$w-sparse$s.json" > /dev/null
  done
  "$py" - "$board" "$w" "$dir" "$k" <<'PY'
import json, sys
board, w, d, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
load = lambda f: json.load(open(f"{d}/{w}-{f}.json"))
key = lambda r: (r["cpuKHz"], r["gpuHz"], r["emcHz"])
a, b = load("full1"), load("full2")
other = {key(r): r for r in b["rows"]}
truth = [dict(r, **{q: (r[q] + other[key(r)][q]) / 2 for q in ("p95Ms", "energyJ")}) for r in a["rows"]]
at = {key(r): r for r in truth}

def choose(rows, s):  # the selector's min-energy rule at p95: budget s x the fastest p95 of these rows
    budget = s * min(r["p95Ms"] for r in rows)
    return budget, min((r for r in rows if r["p95Ms"] <= budget), key=lambda r: (r["energyJ"], key(r)))

def judge(kind):  # per budget, the gap of each seed's choice; the worst budget's mean, the worst seed, the worst excess
    means, worst, over = [], 0.0, 0.0
    for s in (1.1, 1.2, 1.3, 1.4, 1.5, 1.6):
        budget, best = choose(truth, s)
        gaps = []
        for seed in range(3, 3 + k):
            _, pick = choose(load(f"{kind}{seed}")["rows"], s)
            t = at[key(pick)]
            gaps.append(t["energyJ"] / best["energyJ"] - 1)
            over = max(over, t["p95Ms"] / budget - 1)
        means.append(sum(gaps) / k)
        worst = max(worst, max(gaps))
    return "%.1f%% (%.1f%%; %.1f%%)" % (100 * max(means), 100 * worst, 100 * over)

def floor():  # the choice of the mean of the K full sweeps, at the worst budget
    sweeps = [{key(r): r for r in load(f"full{seed}")["rows"]} for seed in range(3, 3 + k)]
    rows = [dict(r, **{q: sum(t[key(r)][q] for t in sweeps) / k for q in ("p95Ms", "energyJ")}) for r in truth]
    return "%.1f%%" % (100 * max(at[key(choose(rows, s)[1])]["energyJ"] / choose(truth, s)[1]["energyJ"] - 1
                                 for s in (1.1, 1.2, 1.3, 1.4, 1.5, 1.6)))

f = json.load(open(f"{d}/{w}-full1.out"))
sparse = [json.load(open(f"{d}/{w}-sparse{s}.out")) for s in range(3, 3 + k)]
sp = max(sparse, key=lambda x: x["pointsMeasured"])
secs = sum(x["deviceSeconds"] for x in sparse) / k
print("| %s | %s | %d of %d, %.1f h | at most %d of %d, %.1f h (%.0f%%) | %s | %s | %s |" % (board, w, f["pointsMeasured"],
      f["gridSize"], f["deviceSeconds"] / 3600, sp["pointsMeasured"], sp["gridSize"], secs / 3600,
      100 * secs / f["deviceSeconds"], judge("sparse"), judge("full"), floor()))
PY
done
