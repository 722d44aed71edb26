#!/usr/bin/env bash
# Runs the maintainer scripts shipped in joulegov_VERSION_arm64.deb against stubs (run by check.sh, so by
# `mvn verify`; no systemd needed, nothing on this machine is touched): every command they call is a stub that
# records its arguments (PATH holds the stubs only), and "/run/systemd/system" is rewritten to a scratch directory
# that each case creates or not. Checks that the unit is enabled on an offline install and started only where
# systemd runs.
set -euo pipefail
deb="${1:?usage: maintainer-scripts-test.sh DEB}"
t="$(mktemp -d)"; trap 'rm -rf "$t"' EXIT
mkdir -p "$t/ctrl" && dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$t/ctrl"
fail() { echo "maintainer scripts: $*" >&2; exit 1; }

# stub NAME [EXIT]: records "NAME ARGS" in $t/calls and exits EXIT (0)
stub() { printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexit %s\n' "$1" "$t" "${2:-0}" >"$t/bin/$1"; chmod +x "$t/bin/$1"; }
# run SCRIPT ARGS...: with systemd "running" when $running=yes and Debian's helpers present when $helpers=yes
run() {
  local script="$1"; shift
  rm -rf "$t/bin" "$t/run" "$t/calls"; mkdir -p "$t/bin"; : >"$t/calls"
  [ "$running" = yes ] && mkdir -p "$t/run/systemd/system"
  for c in systemctl install groupadd groupdel; do stub "$c"; done
  stub getent 2 # no joulegov group yet
  if [ "$helpers" = yes ]; then
    stub deb-systemd-invoke
    printf '#!/bin/sh\necho "deb-systemd-helper $*" >> "%s/calls"\n[ "$2" != was-enabled ] || exit %s\n' "$t" "$was_enabled" \
      >"$t/bin/deb-systemd-helper"
    chmod +x "$t/bin/deb-systemd-helper"
  fi
  sed "s|/run/systemd/system|$t/run/systemd/system|g" "$t/ctrl/$script" >"$t/script"
  PATH="$t/bin" /bin/sh "$t/script" "$@" || fail "$script $* exited $?"
}
has() { grep -qx -- "$1" "$t/calls" || fail "$case: expected '$1', calls were: $(tr '\n' ';' <"$t/calls")"; }
hasnt() { ! grep -q -- "$1" "$t/calls" || fail "$case: unexpected '$1', calls were: $(tr '\n' ';' <"$t/calls")"; }
was_enabled=0
n=0

case="offline install (no systemd running)"; running=no helpers=yes; run postinst configure
has "groupadd --system joulegov"; has "deb-systemd-helper enable joulegov.service"
hasnt "deb-systemd-invoke"; hasnt "systemctl"; n=$((n + 1))

case="install where systemd runs"; running=yes helpers=yes; run postinst configure
has "deb-systemd-helper enable joulegov.service"; has "systemctl --system daemon-reload"
has "deb-systemd-invoke restart joulegov.service"; n=$((n + 1))

case="upgrade where systemd runs"; running=yes helpers=yes; run postinst configure 0.1.0
has "deb-systemd-helper enable joulegov.service"; has "deb-systemd-invoke restart joulegov.service"; n=$((n + 1))

case="offline install without Debian's helpers"; running=no helpers=no; run postinst configure
has "systemctl enable joulegov.service"; hasnt "start"; n=$((n + 1))

case="an administrator disabled it"; running=no helpers=yes was_enabled=1; run postinst configure 0.1.0
has "deb-systemd-helper update-state joulegov.service"; hasnt "helper enable"; was_enabled=0; n=$((n + 1))

case="remove where systemd runs"; running=yes helpers=yes; run prerm remove
has "deb-systemd-invoke stop joulegov.service"; n=$((n + 1))

case="upgrade where systemd runs (stopped before the jars are replaced)"; running=yes helpers=yes; run prerm upgrade 0.1.0
has "deb-systemd-invoke stop joulegov.service"; n=$((n + 1))

case="remove with no systemd running"; running=no helpers=yes; run prerm remove
hasnt "stop"; n=$((n + 1))

case="postrm remove"; running=no helpers=yes; run postrm remove
has "deb-systemd-helper mask joulegov.service"; hasnt "purge"; n=$((n + 1))

echo "maintainer scripts: $n cases passed"
