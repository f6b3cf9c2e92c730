#!/usr/bin/python3
# Ansible module: run `tcptune audit --format json` on the managed host and return the findings.
# It never changes anything (changed: false, check mode supported) and fails the task when a
# finding reaches fail_on.

DOCUMENTATION = r'''
module: tcptune_audit
short_description: Audit TCP connection-lifecycle sysctls with tcptune
description:
  - Runs the installed C(tcptune audit --format json) and returns its findings, gaps and census
    as structured data. Never changes the host.
  - Fails the task when a finding has severity I(fail_on) or higher.
options:
  fail_on:
    description: Severity at which the task fails; C(never) only reports.
    choices: [info, warning, critical, never]
    default: critical
    type: str
  census:
    description: Take the socket census and counters (C(false) is settings and configuration only).
    type: bool
    default: true
  rules:
    description: Extra rule directories (C(--rules DIR)).
    type: list
    elements: path
    default: []
  profile:
    description: The intended workload profile (C(--profile NAME)); the audit also judges the host against it.
    type: str
  snapshot:
    description: Audit this snapshot file (from C(tcptune snapshot)) instead of the host.
    type: path
  root:
    description: Read the system under this directory (C(--root)).
    type: path
    default: /
  binary:
    description: The tcptune executable.
    type: path
    default: tcptune
  data_dir:
    description: Sets C(TCPTUNE_DATADIR) (the directory that holds C(rules/)); normally not needed.
    type: path
'''

EXAMPLES = r'''
- name: Stop the deployment on critical TCP findings
  tcptune_audit:
    fail_on: critical
  register: audit
'''

RETURN = r'''
findings:
  description: Findings (id, severity, title, item, message, evidence, recommendation, references).
  type: list
  returned: always
summary:
  description: Counts by severity, number of rules and of gaps.
  type: dict
  returned: always
failing:
  description: Ids (with item) of the findings at or above fail_on.
  type: list
  returned: always
report:
  description: The whole JSON report (docs/report-schema.md).
  type: dict
  returned: always
'''

import json

from ansible.module_utils.basic import AnsibleModule

SEVERITY_RANK = {'info': 0, 'warning': 1, 'critical': 2}


def finding_label(f):
    return f['id'] + ('/' + f['item'] if f.get('item') else '')


def main():
    module = AnsibleModule(
        argument_spec=dict(
            fail_on=dict(type='str', default='critical', choices=['info', 'warning', 'critical', 'never']),
            census=dict(type='bool', default=True),
            rules=dict(type='list', elements='path', default=[]),
            snapshot=dict(type='path'),
            profile=dict(type='str'),
            root=dict(type='path', default='/'),
            binary=dict(type='path', default='tcptune'),
            data_dir=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    p = module.params
    binary = module.get_bin_path(p['binary'], required=True) if '/' not in p['binary'] else p['binary']
    cmd = [binary, '--no-color', '--root', p['root'], 'audit', '--format', 'json']
    if not p['census']:
        cmd.append('--no-census')
    if p['snapshot']:
        cmd += ['--snapshot', p['snapshot']]
    if p['profile']:
        cmd += ['--profile', p['profile']]
    for d in p['rules']:
        cmd += ['--rules', d]
    env = {'NO_COLOR': '1'}
    if p['data_dir']:
        env['TCPTUNE_DATADIR'] = p['data_dir']
    # Exit status 0 or 1 (findings at or above tcptune's own --fail-on) both carry a report;
    # 2 and 3 are usage and runtime errors (docs/exit-codes.md).
    rc, out, err = module.run_command(cmd, environ_update=env)
    if rc not in (0, 1):
        module.fail_json(msg='tcptune audit failed (exit status %d): %s' % (rc, err.strip()), rc=rc, cmd=cmd)
    try:
        report = json.loads(out)
    except ValueError as e:
        module.fail_json(msg='tcptune audit printed no JSON report: %s' % e, stdout=out, stderr=err)

    findings = report.get('findings', [])
    failing = []
    if p['fail_on'] != 'never':
        threshold = SEVERITY_RANK[p['fail_on']]
        failing = [finding_label(f) for f in findings if SEVERITY_RANK.get(f['severity'], 0) >= threshold]
    result = dict(changed=False, findings=findings, summary=report.get('summary', {}), gaps=report.get('gaps', []),
                  census=report.get('census'), failing=failing, report=report, cmd=cmd)
    if failing:
        del result['report']  # findings and summary are enough to read in a failed task's output
        module.fail_json(msg='tcptune: %d finding(s) at or above %s: %s' % (len(failing), p['fail_on'], ', '.join(failing)),
                         **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
