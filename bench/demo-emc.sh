#!/usr/bin/env bash
# The founding study's boards with the memory clock as a third axis (issue 27): joulegov demo --emc on a virtual
# board (sparse CPU x GPU x EMC profiles, 60 s per mode, 1.4x at p99), its table only.
# Usage: bench/demo-emc.sh [board]
set -euo pipefail
cd "$(dirname "$0")/.."
board="${1:-nano}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(uname -sr)"
echo
./joulegov demo --board "$board" --emc --out "$tmp/demo" | sed -n '/energy saved against dvfs/,/^$/p' | sed '/^$/d'
