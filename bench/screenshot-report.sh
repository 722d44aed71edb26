#!/usr/bin/env bash
# A picture of the demo's report for a person to look at: runs ./joulegov demo unless given a report, then renders
# the page with headless Chromium (Debian's chromium package) into a PNG, top to bottom.
# Usage: bench/screenshot-report.sh [REPORT.html] [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
report="${1:-}"; out="${2:-joulegov-demo/report.png}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "bench/screenshot-report.sh: needs Chromium (sudo apt-get install chromium)" >&2
  exit 1
fi
if [ -z "$report" ]; then
  ./joulegov demo > /dev/null
  report=joulegov-demo/report.html
fi
mkdir -p "$(dirname "$out")"
# tall enough for the table and the first workloads; the page itself scrolls on
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,8000 \
  --screenshot="$(realpath -m "$out")" "file://$(realpath "$report")" 2> /dev/null
echo "wrote $out"
