#!/usr/bin/env bash
# Installs joulegov as a systemd service on a Jetson (run as root from a clone):
#   systemd/install.sh            build if needed, install, create the joulegov group, enable and start the service
#   systemd/install.sh --remove   stop (the clocks are restored), disable and remove; profiles and config stay
#   systemd/install.sh --purge    as --remove, and delete /etc/joulegov, /var/lib/joulegov and the group
# DESTDIR=/some/dir stages the files there instead (no group, no systemctl): for packaging and for checking.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="${DESTDIR:-}"
prefix="$dest/usr/share/joulegov"
bin="$dest/usr/bin/joulegov"
unit="$dest/etc/systemd/system/joulegov.service"
live=$([ -z "$dest" ] && [ -d /run/systemd/system ] && echo yes || echo no)

say() { echo "joulegov install: $*"; }

remove() {
  if [ "$live" = yes ] && systemctl list-unit-files joulegov.service >/dev/null 2>&1; then
    systemctl disable --now joulegov.service || true
  fi
  if [ -x "$prefix/joulegov" ] && [ -f "$dest/var/lib/joulegov/restore.json" ]; then
    "$prefix/joulegov" restore --root "${dest:-/}" --state "$dest/var/lib/joulegov/restore.json" || true
  fi
  rm -rf "$prefix" "$bin" "$unit" "$dest/usr/share/doc/joulegov"
  [ "$live" = yes ] && systemctl daemon-reload
  say "removed /usr/share/joulegov, /usr/bin/joulegov and the unit; the clocks are as joulegov found them"
}

case "${1:-}" in
  --remove) remove; say "kept /etc/joulegov and /var/lib/joulegov (profiles); --purge deletes them"; exit 0 ;;
  --purge) remove; rm -rf "$dest/etc/joulegov" "$dest/var/lib/joulegov"
           if [ -z "$dest" ] && getent group joulegov >/dev/null; then groupdel joulegov; fi
           say "purged configuration, profiles and the joulegov group"; exit 0 ;;
  "") ;;
  *) echo "usage: systemd/install.sh [--remove | --purge]" >&2; exit 2 ;;
esac

if [ -z "$dest" ] && [ "$(id -u)" != 0 ]; then
  echo "joulegov install: run as root (it installs a root service that writes the clock knobs)" >&2; exit 1
fi
command -v java >/dev/null || { echo "joulegov install: needs Java 17 or newer (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
jar="$here/cli/target/joulegov.jar"
if [ ! -f "$jar" ]; then
  say "building (mvn -B -DskipTests package)..."
  (cd "$here" && mvn -B -q -DskipTests package)
fi

install -d -m 0755 "$prefix/lib" "$(dirname "$unit")" "$dest/etc/joulegov" "$(dirname "$bin")" "$dest/usr/share/doc/joulegov"
install -d -m 0750 "$dest/var/lib/joulegov"
install -d -m 0755 "$dest/var/lib/joulegov/models-cache"
install -m 0644 "$jar" "$prefix/joulegov.jar"
install -m 0644 "$here"/cli/target/lib/*.jar "$prefix/lib/"
install -m 0755 "$here/joulegov" "$prefix/joulegov"
ln -sfn ../share/joulegov/joulegov "$bin"
install -m 0644 "$here/README.md" "$dest/usr/share/doc/joulegov/README.md"
install -m 0644 "$here/systemd/joulegov.service" "$unit"
if [ -f "$dest/etc/joulegov/joulegov.conf" ]; then
  install -m 0644 "$here/systemd/joulegov.conf" "$dest/etc/joulegov/joulegov.conf.new"
  say "kept your /etc/joulegov/joulegov.conf; the shipped one is joulegov.conf.new"
else
  install -m 0644 "$here/systemd/joulegov.conf" "$dest/etc/joulegov/joulegov.conf"
fi
say "installed into ${dest:-/}usr/share/joulegov, launcher /usr/bin/joulegov"

if [ -z "$dest" ]; then
  getent group joulegov >/dev/null || { groupadd --system joulegov; say "created group joulegov (add users: usermod -aG joulegov USER)"; }
  if [ "$live" = yes ]; then
    systemctl daemon-reload
    systemctl enable --now joulegov.service
    say "joulegov.service enabled and started: systemctl status joulegov; journalctl -u joulegov"
  fi
fi
