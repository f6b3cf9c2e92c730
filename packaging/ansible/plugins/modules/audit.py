#!/usr/bin/python
# Ansible module: run `tcptune audit --format json` on the managed host and return the findings.
# It never changes anything (changed: false, check mode supported) and fails the task when a
# finding reaches fail_on.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: audit
short_description: Audit TCP connection-lifecycle sysctls with tcptune
version_added: "1.0.0"
author: tcptune maintainers
extends_documentation_fragment: tcptune.tcptune.tcptune
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
'''

EXAMPLES = r'''
- name: Stop the deployment on critical TCP findings
  tcptune.tcptune.audit:
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
gaps:
  description: Evidence that could not be collected, and why.
  type: list
  returned: always
census:
  description: The socket census summary of the report, when one was taken.
  type: dict
  returned: when census is true
report:
  description: The whole JSON report (docs/report-schema.md).
  type: dict
  returned: unless the task fails
cmd:
  description: The tcptune command that ran.
  type: list
  returned: always
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tcptune.tcptune.plugins.module_utils.tcptune import COMMON_ARGS, Tcptune

SEVERITY_RANK = {'info': 0, 'warning': 1, 'critical': 2}


def finding_label(f):
    return f['id'] + ('/' + f['item'] if f.get('item') else '')


def main():
    argument_spec = dict(
        fail_on=dict(type='str', default='critical', choices=['info', 'warning', 'critical', 'never']),
        census=dict(type='bool', default=True),
        rules=dict(type='list', elements='path', default=[]),
        snapshot=dict(type='path'),
        profile=dict(type='str'),
    )
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    args = ['audit', '--format', 'json']
    if not p['census']:
        args.append('--no-census')
    if p['snapshot']:
        args += ['--snapshot', p['snapshot']]
    if p['profile']:
        args += ['--profile', p['profile']]
    for d in p['rules']:
        args += ['--rules', d]
    tt = Tcptune(module)
    cmd = tt.command(args)
    # Exit status 0 or 1 (findings at or above tcptune's own --fail-on) both carry a report;
    # 2 and 3 are usage and runtime errors (docs/exit-codes.md).
    report = tt.run_json(args, ok=(0, 1))

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
