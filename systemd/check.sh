#!/usr/bin/env bash
# Checks the unit without installing it: `systemd-analyze verify` against a scratch root holding this machine's
# system units and the launcher at /usr/bin/joulegov, and the offline `systemd-analyze security` exposure (at most 3.5).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/usr/bin" "$scratch/etc/systemd/system" "$scratch/usr/lib/systemd"
cp -r /usr/lib/systemd/system "$scratch/usr/lib/systemd/"
install -m 0755 "$here/../joulegov" "$scratch/usr/bin/joulegov"
cp "$here/joulegov.service" "$scratch/etc/systemd/system/"
systemd-analyze verify --root="$scratch" joulegov.service
echo "systemd-analyze verify: clean"
exposure="$(systemd-analyze security --offline=yes "$here/joulegov.service" 2>/dev/null | sed -n 's/.*Overall exposure level for joulegov.service: \([0-9.]*\).*/\1/p')"
echo "systemd-analyze security (offline): exposure $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e <= 3.5) }' || { echo "exposure above 3.5" >&2; exit 1; }

# install.sh stages a working copy: the installed launcher runs the installed jar
stage="$scratch/stage"
DESTDIR="$stage" "$here/install.sh" >/dev/null
"$stage/usr/bin/joulegov" boards --virtual nano --json >/dev/null
test -f "$stage/etc/joulegov/joulegov.conf" -a -f "$stage/etc/systemd/system/joulegov.service"
DESTDIR="$stage" "$here/install.sh" --purge >/dev/null
test ! -e "$stage/usr/share/joulegov" -a ! -e "$stage/usr/bin/joulegov" -a ! -e "$stage/etc/joulegov"
echo "install.sh: staged, ran the installed launcher, purged"
