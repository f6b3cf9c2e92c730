#!/usr/bin/env bash
# Builds the RPM from the spec CMake generated (BUILD/packaging/tcptune.spec, from
# packaging/rpm/tcptune.spec.in) with rpmbuild -ba (Debian package rpm) on a
# tarball of the source tree, then checks the binary package: files, data paths, man page,
# completions, units, and that the packaged binary looks for its data under /usr/share/tcptune.
# Build dependencies are Fedora names, unknown to this machine's rpm database, hence --nodeps.
# Builds the project from scratch (minutes), so it runs only with TCPTUNE_PACKAGE_TESTS=1.
# Usage: rpm_test.sh TCPTUNE_BINARY SOURCE_DIR
. "$(dirname "$0")/lib.sh"
bin=$(realpath "$1") src=$(realpath "$2")
[ "${TCPTUNE_PACKAGE_TESTS:-0}" = 1 ] || skip "package builds run from .ci/packages (set TCPTUNE_PACKAGE_TESTS=1)"
command -v rpmbuild >/dev/null || skip "rpmbuild not installed (Debian package rpm)"
spec=$(dirname "$bin")/packaging/tcptune.spec
[ -r "$spec" ] || { fail "no generated spec $spec"; finish; }
version=$(awk '/^Version:/ { print $2 }' "$spec")
cmake_version=$(sed -n 's/^project(tcptune VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
license=$(sed -n 's/^set(TCPTUNE_LICENSE "\(.*\)")$/\1/p' "$src/packaging/cpack.cmake")
[ "$version" = "$cmake_version" ] && pass "spec version $version matches CMakeLists.txt" \
  || fail "spec Version $version, CMakeLists.txt $cmake_version"

top=$(mktemp -d); trap 'rm -rf "$top"' EXIT
mkdir -p "$top"/{SOURCES,SPECS,BUILD,RPMS,SRPMS}
# The tarball holds the source tree as it is (build directories and VCS data excluded).
tar -C "$(dirname "$src")" --transform "s|^$(basename "$src")|tcptune-$version|" \
  --exclude-vcs --exclude="$(basename "$src")/build*" -czf "$top/SOURCES/tcptune-$version.tar.gz" "$(basename "$src")"
if ! rpmbuild -ba --nodeps --define "_topdir $top" --define "debug_package %{nil}" "$spec" > "$top/log" 2>&1; then
  tail -40 "$top/log" >&2; fail "rpmbuild -ba"; finish
fi
rpm=$(ls "$top"/RPMS/*/tcptune-"$version"-1*.rpm)
srpm=$(ls "$top"/SRPMS/tcptune-"$version"-1*.src.rpm)
pass "built $(basename "$rpm") and $(basename "$srpm")"

files=$(rpm -qlp "$rpm" 2>/dev/null)
for f in /usr/bin/tcptune /usr/share/tcptune/rules/catalogue.toml /usr/share/man/man1/tcptune.1 \
         /usr/share/bash-completion/completions/tcptune /usr/share/zsh/site-functions/_tcptune \
         /usr/lib/systemd/system/tcptune-metrics.service /usr/lib/systemd/system/tcptune-metrics.timer; do
  grep -q "^$f" <<<"$files" && pass "ships $f" || fail "rpm lacks $f"
done
shopt -s nullglob
rule_files=("$src"/rules/*.toml)
nrules=${#rule_files[@]}
[ "$(grep -c '^/usr/share/tcptune/rules/.*\.toml$' <<<"$files" || true)" = "$nrules" ] && pass "ships all $nrules rule files" \
  || fail "rule files differ from the source tree"
[ -n "$license" ] && [ "$(rpm -qp --qf '%{LICENSE}' "$rpm" 2>/dev/null)" = "$license" ] \
  && pass "licence $license from TCPTUNE_LICENSE" || fail "rpm licence is not TCPTUNE_LICENSE ($license)"
requires=$(rpm -qpR "$rpm" 2>/dev/null)
grep -q 'libfmt' <<<"$requires" && grep -q 'libmnl' <<<"$requires" && pass "automatic library requirements" \
  || fail "requires: $requires"

# The packaged binary, extracted, finds nothing but the compiled-in /usr/share/tcptune.
mkdir "$top/x" && (cd "$top/x" && rpm2cpio "$rpm" | cpio -idm --quiet)
strings "$top/x/usr/bin/tcptune" | grep -E "(^|[^[:alnum:]/])/usr/share/tcptune$" >/dev/null && pass "compiled-in data directory /usr/share/tcptune" \
  || fail "no /usr/share/tcptune in the binary"
strings "$top/x/usr/bin/tcptune" | grep -F "$src" >/dev/null && fail "binary refers to the source tree $src" \
  || pass "no source-tree path in the binary"
TCPTUNE_DATADIR=$top/x/usr/share/tcptune "$top/x/usr/bin/tcptune" --root "$src/tests/fixtures/trees/linux-6.18" \
  audit --format json --no-census > "$top/audit.json" && pass "extracted binary audits a fixture tree" \
  || fail "extracted binary audit failed"
finish
