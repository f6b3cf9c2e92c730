#!/usr/bin/env bash
# Builds the .deb with CPack, installs it on this machine with dpkg -i, runs the installed tcptune
# from the installed paths (no TCPTUNE_DATADIR), then purges it and checks that no file it
# installed is left.
# CPack packages the build directory of the binary under test when it was configured for the
# packages (prefix /usr, as .ci/setup does): the shipped binary is its tcptune_installed target,
# so there is no second compile. Any other build (another prefix, sanitizers) falls back to a
# fresh RelWithDebInfo build in $TCPTUNE_PKG_BUILD (default SOURCE/build-deb), which takes minutes.
# Runs only with TCPTUNE_PACKAGE_TESTS=1 (.ci/packages sets it): it installs a package as root.
# Usage: deb_test.sh TCPTUNE_BINARY SOURCE_DIR
. "$(dirname "$0")/lib.sh"
bin=$(realpath "$1") src=$(realpath "$2")
[ "${TCPTUNE_PACKAGE_TESTS:-0}" = 1 ] || skip "package builds run from .ci/packages (set TCPTUNE_PACKAGE_TESTS=1)"
[ "$(id -u)" = 0 ] || skip "dpkg -i needs root"
command -v dpkg-shlibdeps >/dev/null || skip "dpkg-shlibdeps missing (Debian package dpkg-dev)"
if dpkg-query -W -f='${Status}' tcptune 2>/dev/null | grep -q installed; then
  skip "a tcptune package is already installed on this machine; not replacing it"
fi
work=$(mktemp -d)
purge() { dpkg-query -W tcptune >/dev/null 2>&1 && dpkg -P tcptune >/dev/null 2>&1; rm -rf "$work"; }
trap purge EXIT

cache_value() { sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt" 2>/dev/null; }
packageable() {  # build-dir: configured for /usr, no sanitizer or fuzzer instrumentation
  [ "$(cache_value "$1" CMAKE_INSTALL_PREFIX)" = /usr ] && [ "$(cache_value "$1" TCPTUNE_DATADIR)" = /usr/share/tcptune ] \
    && [ "$(cache_value "$1" TCPTUNE_SANITIZE)" != ON ] && [ "$(cache_value "$1" TCPTUNE_FUZZ)" != ON ]
}
build=$(dirname "$bin")
if packageable "$build"; then
  pass "packaging the tested build $build"
else
  build=${TCPTUNE_PKG_BUILD:-$src/build-deb}
  echo "note: $(dirname "$bin") is not configured for packages (prefix /usr); building $build"
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
    -DTCPTUNE_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target tcptune_installed >/dev/null
(cd "$build" && cpack -G DEB -B "$work" >/dev/null)
deb=$(ls "$work"/tcptune_*.deb)
pass "built $(basename "$deb")"

# Metadata: dependencies computed from the binary's libraries.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libstdc++6 libfmt9 libmnl0; do
  grep -q "$lib" <<<"$depends" && pass "Depends has $lib" || fail "Depends lacks $lib: $depends"
done
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in ./usr/bin/tcptune ./usr/share/tcptune/rules/catalogue.toml ./usr/share/man/man1/tcptune.1 \
         ./usr/share/bash-completion/completions/tcptune ./usr/share/zsh/vendor-completions/_tcptune \
         ./lib/systemd/system/tcptune-metrics.timer ./usr/share/doc/tcptune/prometheus.md \
         ./usr/share/doc/tcptune/copyright; do
  grep -qx -- "$f" <<<"$contents" || grep -qx -- "${f/.\/lib/.\/usr\/lib}" <<<"$contents" \
    && pass "ships $f" || fail "package lacks $f"
done
shopt -s nullglob
rule_files=("$src"/rules/*.toml) profile_files=("$src"/profiles/*.toml)
nrules=${#rule_files[@]} nprof=${#profile_files[@]}
[ "$(grep -c '^./usr/share/tcptune/rules/.*\.toml$' <<<"$contents" || true)" = "$nrules" ] && pass "ships all $nrules rule files" \
  || fail "rule files differ from the source tree"
[ "$(grep -c '^./usr/share/tcptune/profiles/.*\.toml$' <<<"$contents" || true)" = "$nprof" ] && pass "ships all $nprof profiles" \
  || fail "profile files differ from the source tree"

dpkg -i "$deb" >/dev/null
pass "dpkg -i"
mapfile -t installed < <(dpkg -L tcptune)
installed_bin=$(command -v tcptune)
[ "$installed_bin" = /usr/bin/tcptune ] && pass "tcptune on PATH is /usr/bin/tcptune" || fail "tcptune resolves to $installed_bin"

# From the installed paths: no TCPTUNE_DATADIR, run from a directory far from the source tree.
version=$(cd / && env -u TCPTUNE_DATADIR /usr/bin/tcptune --version)
grep -q "^data directory: /usr/share/tcptune (compiled-in install location)" <<<"$version" \
  && pass "--version: data from the compiled-in /usr/share/tcptune" || fail "--version says: $version"
strings /usr/bin/tcptune | grep -F "$src" >/dev/null && fail "installed binary refers to the source tree $src" \
  || pass "no source-tree path in the installed binary"
grep -q "^  /usr/share/tcptune/rules ($((nrules - 2)) files)" <<<"$version" && pass "--version counts the rules (not the catalogue and its notes)" \
  || fail "--version rules line: $version"
rc=0; (cd / && env -u TCPTUNE_DATADIR NO_COLOR=1 /usr/bin/tcptune audit --format json > "$work/audit.json") || rc=$?
{ [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && pass "installed audit exits $rc" || fail "installed audit exit status $rc"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["schema"]=="tcptune.report" and j["summary"]["rules"]>0, j["summary"]' \
  "$work/audit.json" && pass "installed audit JSON has rules and schema" || fail "installed audit JSON invalid"
(cd / && env -u TCPTUNE_DATADIR NO_COLOR=1 /usr/bin/tcptune audit >/dev/null) || [ $? = 1 ] && pass "text audit" || fail "text audit"
explained=$(cd / && env -u TCPTUNE_DATADIR NO_COLOR=1 /usr/bin/tcptune explain net.ipv4.tcp_fin_timeout 2>&1) || true
grep -q "FIN_WAIT2" <<<"$explained" && pass "installed explain reads the catalogue notes" \
  || fail "installed explain: $explained"
license=$(sed -n 's/^set(TCPTUNE_LICENSE "\(.*\)")$/\1/p' "$src/packaging/cpack.cmake")
[ -n "$license" ] && grep -qx "License: $license" /usr/share/doc/tcptune/copyright \
  && pass "copyright names the licence $license (TCPTUNE_LICENSE)" || fail "copyright lacks License: $license"
man -w tcptune 2>/dev/null | grep '^/usr/share/man/man1/tcptune.1' >/dev/null && pass "man -w finds tcptune(1)" || fail "man page not found"
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify /lib/systemd/system/tcptune-metrics.service /lib/systemd/system/tcptune-metrics.timer 2>&1 \
        | grep -i tcptune || true)
  [ -z "$out" ] && pass "systemd-analyze verify accepts the units" || fail "systemd-analyze: $out"
fi

dpkg -P tcptune >/dev/null
pass "dpkg -P"
dpkg-query -W tcptune >/dev/null 2>&1 && fail "dpkg still knows tcptune"
left=0
for p in "${installed[@]}"; do
  [ -f "$p" ] || [ -L "$p" ] && { fail "left behind: $p"; left=1; }
done
for d in /usr/share/tcptune /usr/share/doc/tcptune /etc/tcptune; do [ -e "$d" ] && fail "left behind: $d"; done
[ "$left" = 0 ] && pass "no installed file left (${#installed[@]} paths checked)"
finish
