#!/usr/bin/python
# Ansible module: apply a tcptune workload profile to the running kernel, idempotently.
# The plan comes from `tcptune recommend --profile NAME --format json` (key, current, target,
# change); the change is made by `tcptune apply --profile NAME --yes` (journal, read-back,
# restore on failure), and checked afterwards by planning again.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: profile
short_description: Apply a tcptune workload profile to the kernel's TCP sysctls
version_added: "1.0.0"
author: tcptune maintainers
extends_documentation_fragment: tcptune.tcptune.tcptune
description:
  - Compares the live sysctls with profile I(name) and applies the keys that differ with
    C(tcptune apply), which keeps a rollback journal (C(tcptune rollback) undoes it).
  - Idempotent; a second run reports C(changed=false).
  - Supports check mode (nothing is written) and diff mode (each key C(before -> after), and the
    sysctl.d file when I(persist) is set).
options:
  name:
    description: Profile name (C(tcptune profiles) lists them).
    type: str
    required: true
  persist:
    description: Also write the sysctl.d file so the values survive a reboot.
    type: bool
    default: false
  persist_file:
    description: The sysctl.d file; by default the name C(tcptune apply --persist) chooses (one that wins at boot).
    type: path
  profiles:
    description: Extra profile directories (C(--profiles DIR)).
    type: list
    elements: path
    default: []
  state_dir:
    description: Where tcptune keeps the apply journal and lock (C(--state-dir)).
    type: path
'''

EXAMPLES = r'''
- name: Tune for a reverse proxy and keep it across reboots
  tcptune.tcptune.profile:
    name: reverse-proxy
    persist: true
'''

RETURN = r'''
changes:
  description: The keys that differed (key, before, after, reason) and were (or, in check mode, would be) set.
  type: list
  returned: always
plan:
  description: The whole plan of the profile (docs/profiles.md).
  type: dict
  returned: always
persist_file:
  description: The sysctl.d file written or checked, when persist is set.
  type: str
  returned: when persist is true
stdout:
  description: What C(tcptune apply) printed.
  type: str
  returned: when changed and not in check mode
'''

import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tcptune.tcptune.plugins.module_utils.tcptune import COMMON_ARGS, Tcptune


class ProfileRun(Tcptune):
    def profile_args(self):
        p = self.module.params
        args = ['--profile', p['name']]
        for d in p['profiles']:
            args += ['--profiles', d]
        return args

    def plan(self):
        return self.run_json(['recommend'] + self.profile_args() + ['--format', 'json'])

    def default_persist_file(self):
        # `apply --dry-run --persist` names the file it would write and writes nothing.
        out = self.run(['apply'] + self.profile_args() + ['--dry-run', '--persist'] + self.state_args())
        m = re.search(r'^Would write (\S+)$', out, re.M)
        if not m:
            self.module.fail_json(msg='cannot tell which sysctl.d file tcptune would write', stdout=out)
        return m.group(1)

    def sysctl_d_text(self):
        return self.run(['generate'] + self.profile_args())

    def state_args(self):
        d = self.module.params['state_dir']
        return ['--state-dir', d] if d else []


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except (IOError, OSError):
        return None


def main():
    argument_spec = dict(
        name=dict(type='str', required=True),
        persist=dict(type='bool', default=False),
        persist_file=dict(type='path'),
        profiles=dict(type='list', elements='path', default=[]),
        state_dir=dict(type='path'),
    )
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    tt = ProfileRun(module)
    plan = tt.plan()
    changes = [dict(key=i['key'], before=i['current'], after=i['target'], reason=i.get('reason', ''))
               for i in plan.get('items', []) if i.get('change')]
    diffs = []
    if changes:
        diffs.append(dict(before_header='kernel (profile %s)' % p['name'], after_header='kernel (profile %s)' % p['name'],
                          before=''.join('%s = %s\n' % (c['key'], c['before']) for c in changes),
                          after=''.join('%s = %s\n' % (c['key'], c['after']) for c in changes)))

    result = dict(changed=False, changes=changes, plan=plan)
    file_changed = False
    if p['persist']:
        path = p['persist_file'] or tt.default_persist_file()
        result['persist_file'] = path
        wanted = tt.sysctl_d_text()
        current = read_text(path)
        file_changed = current != wanted
        if file_changed:
            diffs.append(dict(before_header=path, after_header=path, before=current or '', after=wanted))

    result['changed'] = bool(changes) or file_changed
    if module._diff:
        result['diff'] = diffs
    if module.check_mode or not result['changed']:
        module.exit_json(**result)

    args = ['apply'] + tt.profile_args() + ['--yes'] + tt.state_args()
    if p['persist']:
        args += ['--persist', result['persist_file']]
    result['stdout'] = tt.run(args)

    # Verify: planning again must find nothing left to change (a key the kernel clamps or a
    # read-only /proc/sys would show up here rather than as a silent success).
    after = tt.plan()
    left = ['%s (%s, wanted %s)' % (i['key'], i['current'], i['target']) for i in after.get('items', []) if i.get('change')]
    if left:
        module.fail_json(msg='after tcptune apply these keys still differ: %s' % ', '.join(left), **result)
    if p['persist'] and read_text(result['persist_file']) != tt.sysctl_d_text():
        module.fail_json(msg='%s does not hold the profile after apply' % result['persist_file'], **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
