#!/usr/bin/env bash
# Checks what `mvn package` built here (run by `mvn verify`): the packages' metadata and contents, lintian (no
# errors; required where CI=true, skipped with a line elsewhere when it is not installed), and that the unpacked
# package and the unpacked tarball each run `joulegov boards --virtual nano` on this machine's JVM.
set -euo pipefail
cd "$(dirname "$0")"
v="${1:?usage: check.sh DEB_VERSION}"
deb="target/joulegov_${v}_arm64.deb"; djl="target/joulegov-djl_${v}_arm64.deb"; tgz="target/joulegov-${v}-linux-aarch64.tar.gz"
fail() { echo "packaging check: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); }

info="$(dpkg-deb -I "$deb")"
grep -q '^ Depends: openjdk-17-jre-headless | java17-runtime-headless$' <<<"$info" || fail "no Java 17 dependency"; ok
[ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || fail "not arm64"; ok
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/joulegov/joulegov.conf ] || fail "conffiles"; ok
contents="$(dpkg-deb -c "$deb")"
for f in ./usr/share/joulegov/joulegov ./usr/share/joulegov/joulegov.jar ./lib/systemd/system/joulegov.service \
         ./etc/joulegov/joulegov.conf ./usr/share/doc/joulegov/copyright ./usr/share/doc/joulegov/changelog.gz; do
  grep -q " $f\$" <<<"$contents" || fail "$deb lacks $f"
done; ok
grep -q ' ./usr/bin/joulegov -> ../share/joulegov/joulegov$' <<<"$contents" || fail "no /usr/bin/joulegov link"; ok
! grep -q -E 'pytorch|/ai/djl|/api-[0-9]' <<<"$contents" || fail "the main package carries DJL or PyTorch"; ok
! grep -q -E 'opt/' <<<"$contents" || fail "files under /opt"; ok
[ "$(stat -c %s "$deb")" -lt $((20 << 20)) ] || fail "$deb is 20 MB or more"; ok
djlc="$(dpkg-deb -c "$djl")"
grep -q 'pytorch-native-cpu-.*-linux-aarch64.jar$' <<<"$djlc" || fail "joulegov-djl lacks the aarch64 native library"; ok
! grep -q 'x86' <<<"$djlc" || fail "joulegov-djl carries an x86 native library"; ok
grep -q '^ Depends: joulegov (= '"$v"')$' <<<"$(dpkg-deb -I "$djl")" || fail "joulegov-djl does not depend on joulegov"; ok

if command -v lintian >/dev/null; then
  for p in "$deb" "$djl"; do
    out="$(lintian --fail-on error "$p" 2>&1)" || fail "lintian finds errors in $p: $(grep '^E:' <<<"$out" | head -3)"
  done; ok
elif [ "${CI:-}" = true ]; then
  fail "lintian is not installed (.ci/run installs it)"
else
  echo "packaging check: lintian not installed here (apt-get install lintian); CI runs it"
fi

# the maintainer scripts, against stubs: the unit enabled on an offline install, started only where systemd runs
bash ./maintainer-scripts-test.sh "$deb" || fail "maintainer scripts"; ok

scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' EXIT
dpkg-deb -x "$deb" "$scratch/deb"
mkdir -p "$scratch/tar" && tar -xzf "$tgz" -C "$scratch/tar"
for launcher in "$scratch/deb/usr/bin/joulegov" "$scratch/tar/joulegov-$v/joulegov"; do
  "$launcher" boards --virtual nano --json | grep -q '"board":"jetson-nano"' || fail "$launcher boards --virtual nano"
done; ok
# the main package alone cannot run DJL models: one line says what to install, exit 1
status=0; said="$("$scratch/deb/usr/bin/joulegov" profile --model resnet18 --inferences 2 --reruns 1 --out "$scratch/r.json" 2>&1)" || status=$?
[ "$status" = 1 ] && [ "$(wc -l <<<"$said")" = 1 ] && grep -q 'install the joulegov-djl package' <<<"$said" \
  || fail "profile without joulegov-djl: exit $status, $said"; ok
echo "packaging check: $passed passed, 0 failed"
