#!/usr/bin/env bash
# JMH: one policy decision over a 375-point table and over 375 x 4 EMC points (microseconds per decision).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install >/dev/null
mkdir -p target
mvn -B -q -pl policies dependency:build-classpath -Dmdep.outputFile="$PWD/target/policies.cp" -Dmdep.includeScope=test >/dev/null
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
java -cp "policies/target/test-classes:policies/target/classes:$(cat target/policies.cp)" org.openjdk.jmh.Main DecisionBenchmark "$@"
