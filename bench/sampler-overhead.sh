#!/usr/bin/env bash
# Sampler overhead at 100 ms and 10 ms: CPU time of the sampling thread over wall time, beside the floor (a thread
# that only wakes at the same period, in Java and in C). Prints a markdown table.
# Usage: bench/sampler-overhead.sh [seconds per configuration, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
mvn -B -q -DskipTests install -pl device -am >/dev/null
cp="device/target/test-classes:device/target/classes:$(mvn -B -q -pl device dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)"
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
java -cp "$cp" io.joulegov.device.power.SamplerOverheadBenchmark "$secs"
if command -v cc >/dev/null; then
  cc -O2 -o "${TMPDIR:-/tmp}/joulegov-wake-floor" bench/wake-floor.c
  for p in 100 10; do "${TMPDIR:-/tmp}/joulegov-wake-floor" "$p" "$secs"; done
fi
