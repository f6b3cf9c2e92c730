# Shared by the tcptune modules: the options every module takes (root, binary, data_dir) and one
# way to run the tcptune executable on the managed host.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

COMMON_ARGS = dict(
    root=dict(type='path', default='/'),
    binary=dict(type='path', default='tcptune'),
    data_dir=dict(type='path'),
)


class Tcptune(object):
    """Runs `tcptune --no-color --root ROOT ARGS...` with TCPTUNE_DATADIR set from data_dir."""

    def __init__(self, module):
        self.module = module
        p = module.params
        self.binary = p['binary'] if '/' in p['binary'] else module.get_bin_path(p['binary'], required=True)
        self.env = {'NO_COLOR': '1'}
        if p['data_dir']:
            self.env['TCPTUNE_DATADIR'] = p['data_dir']

    def command(self, args):
        return [self.binary, '--no-color', '--root', self.module.params['root']] + args

    def run(self, args, ok=(0,)):
        """The standard output of a run whose exit status is in `ok`; fails the task otherwise."""
        cmd = self.command(args)
        rc, out, err = self.module.run_command(cmd, environ_update=self.env)
        if rc not in ok:
            self.module.fail_json(msg='tcptune %s failed (exit status %d): %s' % (args[0], rc, err.strip()),
                                  rc=rc, cmd=cmd, stdout=out, stderr=err)
        return out

    def run_json(self, args, ok=(0,)):
        out = self.run(args, ok)
        try:
            return json.loads(out)
        except ValueError as e:
            self.module.fail_json(msg='tcptune %s printed no JSON: %s' % (args[0], e), stdout=out)
