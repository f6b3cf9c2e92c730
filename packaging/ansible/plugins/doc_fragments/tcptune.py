# Documentation of the options every tcptune module takes (module_utils/tcptune.py COMMON_ARGS).
from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  root:
    description: Read (or operate on) the system under this directory (C(--root)).
    type: path
    default: /
  binary:
    description: The tcptune executable.
    type: path
    default: tcptune
  data_dir:
    description: Sets C(TCPTUNE_DATADIR) (the directory that holds C(rules/) and C(profiles/)); normally not needed.
    type: path
'''
