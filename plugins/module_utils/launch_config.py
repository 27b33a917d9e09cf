# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planned argv -> the YAML mapping SGLang reads with `launch_server --config FILE`.

SGLang's ConfigArgumentMerger turns each key into `--key value` (a `true` into a bare flag for
store_true options) and puts them before the command-line arguments. The service role writes the
planned arguments there, with secrets, so that no secret is ever in the process's arguments.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def argv_to_config(argv):
    """['--tp', '8', '--enable-multimodal'] -> {'tp': '8', 'enable-multimodal': True}.

    Values stay strings, as SGLang receives them on a command line; a flag followed by another
    flag (or nothing) is a store_true flag.
    """
    config = {}
    i = 0
    while i < len(argv):
        flag = str(argv[i])
        if not flag.startswith("--"):
            raise ValueError("expected a --flag at position %d of the arguments, got %r" % (i, flag))
        key, eq, inline = flag[2:].partition("=")
        if key in config:
            raise ValueError("--%s appears twice in the arguments" % key)
        if eq:
            config[key] = inline
            i += 1
        elif i + 1 < len(argv) and not str(argv[i + 1]).startswith("--"):
            config[key] = str(argv[i + 1])
            i += 2
        else:
            config[key] = True
            i += 1
    return config
