#!/usr/bin/env bash
# kill -9 at random moments, as the fault-injection suite of issue 8 asks (GovernKillTest and ProfileCommandTest are
# the fast variants in `mvn verify`):
#  - govern: N times, `joulegov govern` on a live `joulegov simulate` Nano is killed 0.05-2.5 s after it starts (while
#    starting, journaling, pinning, holding or idling); `joulegov restore` must bring every governor, min, max and
#    setspeed back to its value before the start.
#  - profile: one full sweep is killed N times at random moments and resumed each time; no profile may exist before
#    it is complete, the checkpoint must always be a readable profile, and the end must cover the same points as an
#    uninterrupted run.
# Usage: bench/fault-injection.sh [N, default 50] [seed, default 1]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-50}"; RANDOM="${2:-1}"
dir="$(mktemp -d)"
./joulegov boards --virtual nano > /dev/null
./joulegov simulate --board nano --root "$dir/board" > /dev/null 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 2
./joulegov profile --no-emc --virtual nano --model resnet18 --grid sparse --inferences 100 --reruns 3 \
  --cache "$dir/board/var/lib/joulegov/models-cache" > /dev/null
knobs() {
  (cd "$dir/board/sys" && find . \( -name scaling_governor -o -name scaling_min_freq -o -name scaling_max_freq \
    -o -name governor -o -name min_freq -o -name max_freq -o -name clk_state -o -name clk_update_rate \) -type f \
    -exec sh -c 'printf "%s=%s\n" "$1" "$(cat "$1")"' _ {} \; | sort)
}
before="$(knobs)"
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
govern_ok=0; pinned_at_kill=0
for i in $(seq 1 "$n"); do
  ./joulegov govern --root "$dir/board" --model resnet18 --slowdown 1.3 --allow-virtual-profiles --metrics-port 0 > /dev/null 2>&1 &
  launcher=$!
  sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", 0.05 + 2.45 * r / 32767}')"
  grep -q userspace "$dir/board/sys/devices/system/cpu/cpufreq/policy0/scaling_governor" && pinned_at_kill=$((pinned_at_kill + 1))
  pkill -9 -f "joulegov.jar govern --root $dir/board" || true
  wait "$launcher" 2>/dev/null || true
  ./joulegov restore --root "$dir/board" > /dev/null
  sleep 0.05   # the live board shows "<unsupported>" in setspeed at its next tick, as the kernel does at once
  if [ "$(knobs)" = "$before" ]; then govern_ok=$((govern_ok + 1)); else echo "govern kill $i: knobs differ after restore" >&2; fi
done
echo "govern: $n kill -9 at random moments ($pinned_at_kill found the board pinned), restore gave every knob back $govern_ok times of $n"

out="$dir/profile.json"; partial="$out.partial"
args=(profile --virtual nano --model distilbert --grid full --inferences 3200 --reruns 10 --out "$out")
kills=0; readable=0; early=0
while [ "$kills" -lt "$n" ]; do
  ./joulegov "${args[@]}" $([ -f "$partial" ] && echo --resume) > /dev/null 2>&1 &
  launcher=$!
  sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", 0.5 + 2.0 * r / 32767}')"
  if ! kill -0 "$launcher" 2>/dev/null; then break; fi   # finished before the kill
  pkill -9 -f "joulegov.jar profile --virtual nano --model distilbert" || true
  wait "$launcher" 2>/dev/null || true
  kills=$((kills + 1))
  [ -f "$out" ] && early=$((early + 1))
  if [ ! -f "$partial" ] || ./joulegov show "$partial" > /dev/null 2>&1; then readable=$((readable + 1)); fi
done
wait "$launcher" 2>/dev/null || true
[ -f "$out" ] || ./joulegov "${args[@]}" --resume > /dev/null
rows=$(./joulegov show "$out" --csv | tail -n +2 | wc -l)
./joulegov "${args[@]/$out/$dir/clean.json}" > /dev/null
clean=$(./joulegov show "$dir/clean.json" --csv | tail -n +2 | cut -d, -f1,2 | sort)
resumed=$(./joulegov show "$out" --csv | tail -n +2 | cut -d, -f1,2 | sort)
same=$([ "$clean" = "$resumed" ] && echo yes || echo no)
echo "profile: killed $kills times and resumed; checkpoint readable after $readable of $kills kills; a profile existed before completion $early times;" \
  "final profile $rows rows, same points as an uninterrupted run: $same"
