#!/usr/bin/env bash
# The Ansible modules, role and pre-deploy playbook under the real ansible-playbook, against
# localhost with the local connection: audit pass/fail/check mode (fixture trees), the
# pre-deploy gate, and, inside a fresh network namespace (unshare -n), check mode, diff output,
# apply, persist and idempotence. The host's own sysctls are compared before and after.
# Usage: ansible_test.sh TCPTUNE_BINARY SOURCE_DIR
. "$(dirname "$0")/lib.sh"
bin=$(realpath "$1") src=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
command -v ansible-playbook >/dev/null || skip "ansible-playbook not installed (Debian package ansible-core)"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export bin src work  # play() runs in a child bash inside the namespace too
export HOME=$work ANSIBLE_LOCAL_TEMP=$work/tmp ANSIBLE_REMOTE_TEMP=$work/tmp ANSIBLE_NOCOLOR=1 \
  ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_STDOUT_CALLBACK=default \
  ANSIBLE_LIBRARY=$src/packaging/ansible/roles/tcptune/library ANSIBLE_ROLES_PATH=$src/packaging/ansible/roles \
  ANSIBLE_CONFIG=$src/packaging/ansible/ansible.cfg
play() { ansible-playbook -i localhost, -c local -e "bin=$bin src=$src work=$work" "$@"; }

play "$here/ansible/audit.yml" > "$work/audit.log" 2>&1 && pass "audit.yml (pass, fail, never, check mode, errors)" \
  || { cat "$work/audit.log" >&2; fail "audit.yml"; }

# The pre-deploy gate stops before the deployment play on a critical finding ...
rc=0; play "$src/packaging/ansible/playbooks/pre_deploy_check.yml" \
  -e "tcptune_root=$src/tests/fixtures/trees/linux-4.9 tcptune_binary=$bin tcptune_data_dir=$src" > "$work/gate.log" 2>&1 || rc=$?
[ "$rc" = 2 ] && pass "pre-deploy gate fails the run (exit 2)" || fail "pre-deploy gate exit status $rc"
grep -q "TT-RECYCLE-001" "$work/gate.log" && pass "gate names the critical finding" || fail "no finding id in the gate output"
grep -q "tcptune gate passed" "$work/gate.log" && fail "the deployment play ran despite a critical finding" || pass "deployment did not run"
# ... and lets a healthy host through.
play "$src/packaging/ansible/playbooks/pre_deploy_check.yml" \
  -e "tcptune_root=$src/tests/fixtures/trees/linux-6.18 tcptune_binary=$bin tcptune_data_dir=$src" > "$work/gate.log" 2>&1 \
  && grep -q "tcptune gate passed: deploying" "$work/gate.log" && pass "healthy host passes the gate and deploys" \
  || { cat "$work/gate.log" >&2; fail "gate on a healthy host"; }

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
finish
