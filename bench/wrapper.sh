#!/usr/bin/env bash
# JMH: one BERT-Tiny inference through the bare DJL Predictor and through GovernedPredictor (microseconds each).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install >/dev/null
mkdir -p target
mvn -B -q -pl cli dependency:build-classpath -Dmdep.outputFile="$PWD/target/cli.cp" -Dmdep.includeScope=test >/dev/null
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
java -Dai.djl.offline=true -cp "cli/target/test-classes:cli/target/classes:$(cat target/cli.cp)" \
  org.openjdk.jmh.Main GovernedPredictorBenchmark "$@"
