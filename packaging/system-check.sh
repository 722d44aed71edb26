#!/usr/bin/env bash
# The package on arm64 under a real systemd (run by hand as root, NOT by `mvn verify`; takes minutes):
#   mvn -o -q -pl packaging -am package -DskipTests && sudo packaging/system-check.sh [joulegov_VERSION_arm64.deb]
# Installs its host packages if missing (debootstrap qemu-user-static binfmt-support systemd-container), builds an
# arm64 Debian 12 once into ${XDG_CACHE_HOME:-$HOME/.cache}/joulegov/arm64-bookworm (about 5 minutes and 600 MB,
# from the Debian mirror apt uses; JOULEGOV_DEBIAN_MIRROR overrides), copies it to a scratch directory so that each
# run starts clean, installs the package offline (no systemd running), boots the copy with systemd-nspawn (systemd as
# PID 1, emulated by qemu-user) and checks, one PASS/FAIL line a step, with a live virtual board served beside the
# service (`joulegov simulate` as a transient unit, root = that board in joulegov.conf). Powers the container off and
# removes the scratch directory on every way out. Exit status: the number of failed steps (0: all passed).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
deb="${1:-$(ls -t "$here"/target/joulegov_*_arm64.deb 2>/dev/null | head -1)}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/joulegov"
base="$cache/arm64-bookworm"
include="openjdk-17-jre-headless,systemd,systemd-sysv,dbus"
board=/var/lib/joulegov/vboard   # inside the container: under the service's StateDirectory, which it may write
say() { echo "system check: $*"; }
die() { echo "system check: $*" >&2; exit 100; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, systemd-nspawn)"
[ -f "$deb" ] || die "no package: build it with 'mvn -o -q -pl packaging -am package -DskipTests', or name it"
deb="$(readlink -f "$deb")"

# --- the host: its packages (idempotent), binfmt for arm64, the cached root -------------------------------------
missing=""
for p in debootstrap qemu-user-static binfmt-support systemd-container; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing host packages:$missing"
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null || die "apt-get install$missing failed"
fi
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || die "no binfmt registration for qemu-aarch64"
if [ ! -x "$base/usr/bin/java" ]; then
  mirror="${JOULEGOV_DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}"
  mirror="${mirror:-http://deb.debian.org/debian}"
  say "building the arm64 Debian 12 root in $base from $mirror (once; about 5 minutes)"
  mkdir -p "$cache" && rm -rf "$base.tmp"
  debootstrap --arch=arm64 --variant=minbase --include="$include" bookworm "$base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || die "debootstrap failed: see $cache/debootstrap.log"
  mv "$base.tmp" "$base"
fi

# --- a clean copy, and cleaning up on every way out --------------------------------------------------------------
work="$(mktemp -d /var/tmp/joulegov-system-check.XXXXXX)"
root="$work/root"
nspawn=""; cpid=""
cleanup() {
  if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
    [ -z "$cpid" ] && cpid="$(pgrep -P "$nspawn" | head -1)"
    [ -n "$cpid" ] && nsenter -t "$cpid" -a /bin/sh -c 'systemctl poweroff' >/dev/null 2>&1
    for _ in $(seq 1 240); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$nspawn" 2>/dev/null; then
      # SIGKILL to the container's PID 1 ends every process in its PID namespace; then systemd-nspawn exits
      say "the container did not power off within 120 s: killing its processes"
      [ -n "$cpid" ] && kill -9 "$cpid" 2>/dev/null
      for _ in $(seq 1 60); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$nspawn" 2>/dev/null
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp -a "$base" "$root" || die "copy of $base failed"
cp "$deb" "$root/root/joulegov.deb" # not /tmp: the booted system mounts a tmpfs there

passed=0; failed=0
step() { # step NAME OK|FAIL [DETAIL]
  if [ "$2" = ok ]; then passed=$((passed + 1)); echo "PASS $1${3:+ ($3)}"; else failed=$((failed + 1)); echo "FAIL $1${3:+ ($3)}"; fi
}
check() { local name="$1"; shift; if "$@"; then step "$name" ok "${detail:-}"; else step "$name" fail "${detail:-}"; fi; detail=""; }
detail=""

# --- 1. installed with no systemd running (as when a fleet's image is built) --------------------------------------
out="$(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -i /root/joulegov.deb 2>&1)" || say "dpkg -i: $out"
enabled="$(chroot "$root" systemctl is-enabled joulegov.service 2>&1)"
detail="is-enabled: $enabled"; check "offline install (chroot, no systemd running): the unit is enabled" test "$enabled" = enabled

# the container's board is a virtual one: joulegov.conf points at it, and the unit's condition (a kernel with
# cpufreq, which this host's kernel may lack) looks for the virtual board's cpufreq instead
sed -i -e "s|^allow-virtual-profiles = false|allow-virtual-profiles = true|" -e "1a root = $board" "$root/etc/joulegov/joulegov.conf"
mkdir -p "$root/etc/systemd/system/joulegov.service.d"
printf '[Unit]\nConditionPathIsDirectory=\nConditionPathIsDirectory=%s/sys/devices/system/cpu/cpufreq\n' "$board" \
  >"$root/etc/systemd/system/joulegov.service.d/virtual-board.conf"

# --- boot -------------------------------------------------------------------------------------------------------
systemd-nspawn -D "$root" --register=no --keep-unit --boot --console=pipe --machine=joulegov-check >"$work/console.log" 2>&1 &
nspawn=$!
# the container's systemd, as the host sees it: systemd-nspawn's child (PID 1 in the container, run by qemu)
for _ in $(seq 1 120); do
  cpid="$(pgrep -P "$nspawn" -f 'systemd' | head -1)"
  [ -n "$cpid" ] && break
  sleep 1
done
[ -n "$cpid" ] || { cat "$work/console.log" >&2; die "the container's systemd did not start"; }
inside() { nsenter -t "$cpid" -a /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/sh -c "$1"; }
state=""
for _ in $(seq 1 300); do
  state="$(inside 'systemctl is-system-running' 2>/dev/null)"
  case "$state" in running|degraded) break ;; esac
  sleep 1
done
say "booted: systemd $(inside 'systemctl --version | head -1 | cut -d" " -f2'), system $state"

# until CONDITION (a shell command run inside) holds, at most SECONDS
until_in() { local cond="$1" t="$2"; for _ in $(seq 1 "$t"); do inside "$cond" >/dev/null 2>&1 && return 0; sleep 1; done; return 1; }
knobs='cd '"$board"'/sys && find . -type f \( -name scaling_governor -o -name scaling_min_freq -o -name scaling_max_freq -o -name governor -o -name min_freq -o -name max_freq -o -name mrq_rate_locked -o -name clk_state \) | sort | xargs grep -H . | md5sum'
gov="$board/sys/devices/system/cpu/cpufreq/policy0/scaling_governor"
pid() { inside 'systemctl show -p MainPID --value joulegov'; }

# --- 2. the service governs a live virtual board ----------------------------------------------------------------
inside "systemd-run --unit vboard --quiet /usr/bin/joulegov simulate --board nano --root $board --workload resnet18 --rate 20 --socket /run/joulegov/joulegov.sock --slowdown 1.3"
until_in "[ -s $gov ]" 180 || say "the virtual board did not appear: $(inside 'journalctl -u vboard --no-pager | tail -5')"
sleep 2
baseline="$(inside "$knobs")"; basegov="$(inside "cat $gov")"
at_baseline="[ \"\$($knobs)\" = '$baseline' ]"
governing="[ \"\$(cat $gov)\" != '$basegov' ]"
tried="$(inside 'systemctl show -p ConditionTimestamp --value joulegov')"
inside 'systemctl start joulegov' 2>&1
until_in "systemctl is-active --quiet joulegov && $governing" 240
detail="enabled unit tried at boot: $([ -n "$tried" ] && echo yes || echo no); $(inside 'systemctl is-active joulegov'), policy0 governor $(inside "cat $gov") (was $basegov)"
check "service active and governing the virtual board" inside "systemctl is-active --quiet joulegov && $governing"

# --- 3. the control socket --------------------------------------------------------------------------------------
sock="$(inside 'stat -c "%U:%G %a" /run/joulegov/joulegov.sock' 2>&1)"
detail="$sock"; check "socket root:joulegov 0660" test "$sock" = "root:joulegov 660"

# --- 4. a requested stop ----------------------------------------------------------------------------------------
inside 'systemctl stop joulegov'
st="$(inside 'systemctl is-active joulegov'; inside 'systemctl show -p Result --value joulegov')"
until_in "$at_baseline" 30
detail="$(echo $st), knobs $(inside "$at_baseline" && echo back || echo NOT back)"
check "systemctl stop: inactive (not failed), every knob back" inside "systemctl is-active joulegov | grep -qx inactive && $at_baseline"

# --- 5. kill -9: ExecStopPost restores, Restart= brings it back -------------------------------------------------
inside 'systemctl start joulegov'
until_in "systemctl is-active --quiet joulegov && $governing" 240
old="$(pid)"; since="@$(date +%s)"
inside "kill -9 $old"
seen=no; until_in "$at_baseline" 120 && seen=yes
restored="$(inside "journalctl -u joulegov --since '$since' --no-pager | grep -q 'restored the board from'" && echo yes || echo no)"
until_in "systemctl is-active --quiet joulegov && [ \$(systemctl show -p MainPID --value joulegov) != $old ] && $governing" 240
restarts="$(inside 'systemctl show -p NRestarts --value joulegov')"
detail="ExecStopPost restored: $restored, knobs seen back: $seen; NRestarts $restarts; new pid $(pid), $(inside 'systemctl is-active joulegov'), governing $(inside "$governing" && echo yes || echo no)"
check "kill -9: ExecStopPost gave the board back, Restart= brought it back governing" \
  inside "[ $restored = yes ] && [ $seen = yes ] && [ ${restarts:-0} -ge 1 ] && systemctl is-active --quiet joulegov && $governing"

# --- 6. reinstalling (an upgrade) stops, restores and restarts ----------------------------------------------------
old="$(pid)"; since="@$(date +%s)"
inside "(while :; do cat $gov; sleep 0.2; done) > /tmp/samples 2>/dev/null & echo \$! > /tmp/sampler"
out="$(inside 'dpkg -i /root/joulegov.deb' 2>&1)"; rc=$?
until_in "systemctl is-active --quiet joulegov && $governing" 240
inside 'kill $(cat /tmp/sampler)'
sawback="$(inside "grep -qx '$basegov' /tmp/samples" && echo yes || echo no)"
stopped="$(inside "journalctl -u joulegov --since '$since' --no-pager | grep -q 'Deactivated successfully'" && echo yes || echo no)"
detail="dpkg -i exit $rc; stopped cleanly: $stopped; board back in between: $sawback; pid $old -> $(pid), governing $(inside "$governing" && echo yes || echo no)"
check "reinstall (upgrade): stopped, restored, restarted" \
  inside "[ $rc = 0 ] && [ $stopped = yes ] && [ $sawback = yes ] && [ \$(systemctl show -p MainPID --value joulegov) != $old ] && $governing"

# --- 7. remove: stopped, board back, configuration and profiles kept ----------------------------------------------
inside 'echo profile > /var/lib/joulegov/models-cache/kept.json' # stands for the profiles learned or imported
out="$(inside 'dpkg -r joulegov' 2>&1)"; rc=$?
until_in "$at_baseline" 30
kept="$(inside 'ls /etc/joulegov/joulegov.conf /var/lib/joulegov/models-cache/kept.json >/dev/null && getent group joulegov >/dev/null' && echo yes || echo no)"
detail="dpkg -r exit $rc; $(inside 'systemctl is-active joulegov'); knobs $(inside "$at_baseline" && echo back || echo NOT back); joulegov.conf, models-cache/kept.json and the group kept: $kept"
check "remove (dpkg -r): stopped, board restored, configuration and profiles kept" \
  inside "[ $rc = 0 ] && ! systemctl is-active --quiet joulegov && $at_baseline && [ $kept = yes ]"

# --- 8. the stream beside the service: no daemon yet at its start, then lost it four times (stop, kill -9, upgrade,
# remove): at most one warning line each, never a stack trace
warns="$(inside "journalctl -u vboard --no-pager | grep -c 'WARN .*not taking reports'")"
traces="$(inside "journalctl -u vboard --no-pager | grep -c -E 'Exception|[[:space:]]at [a-z]+\\.[a-z]+\\.'")"
detail="$warns warning lines, ${traces:-0} lines of a stack trace"
check "the stream reporting to the daemon: no stack trace when it went away, one warning line each time" \
  test "${traces:-0}" = 0 -a "${warns:-0}" -le 5

# --- 9. purge: configuration, profiles and the group go ------------------------------------------------------------
inside 'systemctl stop vboard' # the virtual board lives under /var/lib/joulegov
out="$(inside 'dpkg -P joulegov' 2>&1)"; rc=$?
left="$(inside 'ls -d /etc/joulegov /var/lib/joulegov 2>/dev/null; getent group joulegov')"
detail="dpkg -P exit $rc; left: ${left:-nothing}"
check "purge (dpkg -P): configuration, profiles and group removed" test "$rc" = 0 -a -z "$left"

# --- done -------------------------------------------------------------------------------------------------------
release="$(cat "$root/etc/debian_version")"
inside 'systemctl poweroff' >/dev/null 2>&1
for _ in $(seq 1 240); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.5; done
kill -0 "$nspawn" 2>/dev/null && say "the container did not power off within 120 s (cleanup stops it)" || say "container powered off"
echo "system check $(date -u '+%Y-%m-%d %H:%M UTC'): Debian $release (bookworm), emulated arm64 (qemu-user on $(uname -m)), systemd as PID 1 in systemd-nspawn: $passed passed, $failed failed"
exit "$failed"
