#!/usr/bin/python
# Ansible module: `tcptune snapshot` on the managed host, returned as a fact (tcptune_snapshot),
# for `tcptune fleet` on the controller (playbooks/collect_snapshots.yml). Reads only.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: snapshot
short_description: Capture a tcptune snapshot of the host as a fact
version_added: "1.0.0"
author: tcptune maintainers
extends_documentation_fragment: tcptune.tcptune.tcptune
description:
  - Runs the installed C(tcptune snapshot) and returns the snapshot (settings, sysctl.d
    configuration, socket census, counters, host name and labels) as the fact C(tcptune_snapshot).
  - Never changes the host (C(changed=false)); runs in check mode too.
  - Save the facts of many hosts as files and compare them with C(tcptune fleet DIR).
options:
  labels:
    description: Labels recorded in the snapshot (C(--label KEY=VALUE)), for C(tcptune fleet --group-by KEY).
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
'''

EXAMPLES = r'''
- name: Snapshot every web server, labelled for tcptune fleet --group-by role
  tcptune.tcptune.snapshot:
    labels:
      role: web
- name: Save it on the controller
  ansible.builtin.copy:
    content: "{{ tcptune_snapshot | to_json }}"
    dest: "snapshots/{{ inventory_hostname }}.json"
    mode: "0644"
  delegate_to: localhost
'''

RETURN = r'''
ansible_facts:
  description: Facts set by the module.
  returned: always
  type: complex
  contains:
    tcptune_snapshot:
      description: The snapshot (docs/snapshot-schema.md; C(schema) is C(tcptune.snapshot)).
      type: dict
      returned: always
cmd:
  description: The tcptune command that ran.
  type: list
  returned: always
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tcptune.tcptune.plugins.module_utils.tcptune import COMMON_ARGS, Tcptune


def main():
    argument_spec = dict(labels=dict(type='dict', default={}))
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    args = ['snapshot']
    for key in sorted(module.params['labels']):
        args += ['--label', '%s=%s' % (key, module.params['labels'][key])]
    tt = Tcptune(module)
    snapshot = tt.run_json(args)
    module.exit_json(changed=False, ansible_facts=dict(tcptune_snapshot=snapshot), cmd=tt.command(args))


if __name__ == '__main__':
    main()
