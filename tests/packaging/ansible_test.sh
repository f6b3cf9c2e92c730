#!/usr/bin/env bash
# The tcptune.tcptune Ansible collection (packaging/ansible): built with the real
# `ansible-galaxy collection build`, installed with `ansible-galaxy collection install`, and its
# modules, role and playbooks run by the real ansible-playbook from the installed copy only,
# against localhost with the local connection: audit pass/fail/check mode (fixture trees), the
# pre-deploy gate, snapshots collected to the controller and read by `tcptune fleet`, and, inside
# a fresh network namespace (unshare -n), check mode, diff output, apply, persist and idempotence.
# The host's own sysctls are compared before and after. Then the `ansible-test sanity` checks
# that run offline (packaging/ansible/README.md lists them).
# Usage: ansible_test.sh TCPTUNE_BINARY SOURCE_DIR
. "$(dirname "$0")/lib.sh"
bin=$(realpath "$1") src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
command -v ansible-playbook >/dev/null || skip "ansible-playbook not installed (Debian package ansible-core)"
command -v ansible-galaxy >/dev/null || skip "ansible-galaxy not installed (Debian package ansible-core)"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
printf '[defaults]\n' > "$work/ansible.cfg"  # no ansible.cfg of the machine or the source tree
export bin src work  # play() runs in a child bash inside the namespace too
export HOME=$work ANSIBLE_LOCAL_TEMP=$work/tmp ANSIBLE_REMOTE_TEMP=$work/tmp ANSIBLE_NOCOLOR=1 \
  ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_STDOUT_CALLBACK=default \
  ANSIBLE_COLLECTIONS_PATH=$work/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=0 ANSIBLE_CONFIG=$work/ansible.cfg \
  ANSIBLE_GALAXY_SERVER=http://127.0.0.1:9/ ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1
play() { ansible-playbook -i localhost, -c local -e "bin=$bin src=$src work=$work" "$@"; }

# Build from a copy of the source (the build never writes into the source tree), install offline.
cp -r "$src/packaging/ansible" "$work/source"
if ansible-galaxy collection build "$work/source" --output-path "$work/dist" > "$work/build.log" 2>&1 \
  && [ -f "$work/dist/tcptune-tcptune-1.0.0.tar.gz" ]; then pass "ansible-galaxy collection build"
else cat "$work/build.log" >&2; fail "ansible-galaxy collection build"; finish; fi
if ansible-galaxy collection install --offline -p "$work/collections" "$work/dist/tcptune-tcptune-1.0.0.tar.gz" \
    > "$work/install.log" 2>&1; then pass "ansible-galaxy collection install"
else cat "$work/install.log" >&2; fail "ansible-galaxy collection install"; finish; fi
installed=$work/collections/ansible_collections/tcptune/tcptune
ansible-galaxy collection list -p "$work/collections" 2>/dev/null | grep -q '^tcptune.tcptune *1.0.0' \
  && pass "collection listed as tcptune.tcptune 1.0.0" || fail "collection not listed"
[ -f "$installed/plugins/modules/snapshot.py" ] && [ -f "$installed/roles/tcptune/tasks/main.yml" ] \
  && pass "modules and role installed" || fail "installed collection incomplete: $(find "$installed" -type f)"
# Module documentation is complete enough for ansible-doc, with the shared options of the
# documentation fragment (plugins/doc_fragments/tcptune.py).
for m in audit profile snapshot; do
  ansible-doc "tcptune.tcptune.$m" > "$work/doc.txt" 2>&1 && grep -qx -- "- root" "$work/doc.txt" \
    && pass "ansible-doc tcptune.tcptune.$m" || { cat "$work/doc.txt" >&2; fail "ansible-doc tcptune.tcptune.$m"; }
done

play "$here/ansible/audit.yml" > "$work/audit.log" 2>&1 && pass "audit.yml (pass, fail, never, check mode, errors)" \
  || { cat "$work/audit.log" >&2; fail "audit.yml"; }

# The pre-deploy gate stops before the deployment play on a critical finding ...
rc=0; play tcptune.tcptune.pre_deploy_check \
  -e "tcptune_root=$src/tests/fixtures/trees/linux-4.9 tcptune_binary=$bin tcptune_data_dir=$src" > "$work/gate.log" 2>&1 || rc=$?
[ "$rc" = 2 ] && pass "pre-deploy gate fails the run (exit 2)" || fail "pre-deploy gate exit status $rc"
grep -q "TT-RECYCLE-001" "$work/gate.log" && pass "gate names the critical finding" || fail "no finding id in the gate output"
grep -q "tcptune gate passed" "$work/gate.log" && fail "the deployment play ran despite a critical finding" || pass "deployment did not run"
# ... and lets a healthy host through.
play tcptune.tcptune.pre_deploy_check \
  -e "tcptune_root=$src/tests/fixtures/trees/linux-6.18 tcptune_binary=$bin tcptune_data_dir=$src" > "$work/gate.log" 2>&1 \
  && grep -q "tcptune gate passed: deploying" "$work/gate.log" && pass "healthy host passes the gate and deploys" \
  || { cat "$work/gate.log" >&2; fail "gate on a healthy host"; }

# Snapshots of "every host" (two inventory names for localhost, with labels) collected to the
# controller by the shipped playbook, then compared by tcptune fleet.
printf '[web]\nweb-1 ansible_connection=local\nweb-2 ansible_connection=local\n' > "$work/inventory"
ansible-playbook -i "$work/inventory" tcptune.tcptune.collect_snapshots -e "fleet_dir=$work/fleet" \
  -e "tcptune_binary=$bin tcptune_data_dir=$src tcptune_root=$src/tests/fixtures/trees/linux-6.18" \
  -e '{"tcptune_labels": {"role": "web"}}' > "$work/collect.log" 2>&1 \
  && pass "collect_snapshots.yml" || { cat "$work/collect.log" >&2; fail "collect_snapshots.yml"; }
[ "$(cd "$work/fleet" 2>/dev/null && ls)" = "$(printf 'web-1.json\nweb-2.json')" ] && pass "one snapshot per host on the controller" \
  || fail "snapshots on the controller: $(ls "$work/fleet")"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["schema"] == "tcptune.snapshot" and s["labels"] == {"role": "web"}, s["labels"]' \
  "$work/fleet/web-1.json" && pass "snapshot file carries the labels" || fail "snapshot file"
"$bin" fleet --group-by role "$work/fleet" > "$work/fleet.txt" 2>&1 \
  && grep -qx "Group role=web (2 hosts)" "$work/fleet.txt" && pass "tcptune fleet reads the collected snapshots" \
  || { cat "$work/fleet.txt" >&2; fail "tcptune fleet on the collected snapshots"; }
# Check mode: the snapshot module still returns the fact and changes nothing.
play --check "$here/ansible/snapshot.yml" > "$work/snapshot.log" 2>&1 && pass "snapshot.yml in check mode" \
  || { cat "$work/snapshot.log" >&2; fail "snapshot.yml"; }

# Apply: only inside a fresh network namespace, with a profile of per-namespace keys only.
if ! grep -q "^  apply " <<<"$("$bin" --help)"; then
  echo "note: this tcptune has no apply command; apply cases not run"
elif ! unshare -n true 2>/dev/null; then
  echo "note: cannot create a network namespace (unshare -n); apply cases not run"
else
  mkdir -p "$work/profiles" "$work/state" "$work/sysctl.d"
  cat > "$work/profiles/ansible-test.toml" <<'TOML'
name = "ansible-test"
description = "Test profile: two per-network-namespace keys"

[[setting]]
key = "net.ipv4.tcp_fin_timeout"
value = 17
reason = "test value"

[[setting]]
key = "net.ipv4.tcp_keepalive_time"
value = 1234
reason = "test value"
TOML
  host_before=$(cat /proc/sys/net/ipv4/tcp_fin_timeout /proc/sys/net/ipv4/tcp_keepalive_time)
  unshare -n bash -c "$(declare -f play); $(export -p); play '$here/ansible/apply.yml'" > "$work/apply.log" 2>&1 \
    && pass "apply.yml (check mode, diff, apply, persist, idempotence, role) in a fresh netns" \
    || { cat "$work/apply.log" >&2; fail "apply.yml"; }
  unshare -n bash -c "$(declare -f play); $(export -p); play --check --diff '$here/ansible/diff.yml'" > "$work/diff.log" 2>&1 \
    || { cat "$work/diff.log" >&2; fail "diff.yml"; }
  grep -qx -- "-net.ipv4.tcp_fin_timeout = 60" "$work/diff.log" && grep -qx -- "+net.ipv4.tcp_fin_timeout = 17" "$work/diff.log" \
    && pass "--diff shows tcp_fin_timeout 60 -> 17" || { cat "$work/diff.log" >&2; fail "diff output"; }
  grep -q "changed: \[localhost\]" "$work/diff.log" && pass "--check reports changed" || fail "--check did not report changed"
  host_after=$(cat /proc/sys/net/ipv4/tcp_fin_timeout /proc/sys/net/ipv4/tcp_keepalive_time)
  [ "$host_before" = "$host_after" ] && pass "host sysctls unchanged" || fail "HOST SYSCTLS CHANGED: $host_before -> $host_after"
fi

# ansible-test sanity on the installed collection, offline. These checks need no network; the
# others (ansible-doc, import, pep8, pylint, runtime-metadata, validate-modules, yamllint) first
# build a virtualenv with pip from the network, and pslint and shellcheck have no files to check
# here (packaging/ansible/README.md says the same).
sanity_tests="action-plugin-docs changelog compile empty-init future-import-boilerplate line-endings
  metaclass-boilerplate no-assert no-basestring no-dict-iteritems no-dict-iterkeys no-dict-itervalues
  no-get-exception no-illegal-filenames no-main-display no-smart-quotes no-unicode-literals replace-urlopen
  shebang symlinks use-argspec-type-path use-compat-six"
if command -v ansible-test >/dev/null; then
  py=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  args=(); for t in $sanity_tests; do args+=(--test "$t"); done
  (cd "$installed" && ansible-test sanity "${args[@]}" --python "$py" --color no) > "$work/sanity.log" 2>&1 \
    && pass "ansible-test sanity: $(echo $sanity_tests | wc -w) offline checks" || { cat "$work/sanity.log" >&2; fail "ansible-test sanity"; }
else
  echo "note: ansible-test not installed; sanity checks not run"
fi
finish
