#!/usr/bin/env bash
# The founding study's full sweep on a virtual board (every CPU x GPU pair x 3200 inferences x 10 reruns, power
# sampled every 100 ms), through the real pinner, sampler and files on the virtual clock. Prints a markdown row.
# Usage: bench/virtual-sweep.sh [board] [workload] [inferences] [reruns]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install >/dev/null
mvn -B -q -pl simulator dependency:build-classpath -Dmdep.outputFile="$PWD/target/simulator.cp" -Dmdep.includeScope=test >/dev/null
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
echo "| board | workload | sweep | board time | power samples | wall time |"
echo "|---|---|---|---|---|---|"
java -cp "simulator/target/test-classes:simulator/target/classes:$(cat target/simulator.cp)" \
  io.joulegov.simulator.bench.VirtualSweepBenchmark "${1:-nano}" "${2:-resnet18}" "${3:-3200}" "${4:-10}"
