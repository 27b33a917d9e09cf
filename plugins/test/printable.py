# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: printable
short_description: Text safe for a systemd unit, an env file, a YAML config or a command line
version_added: "0.1.0"
description:
  - True when the value holds no control character (newline, carriage return, NUL, tab, escape)
    and no invisible format character (bidi overrides, zero-width characters, line separators).
  - A newline in a value written to a unit or env file would add a directive or a variable.
options:
  _input:
    description: The text; other values are tested as their text.
    type: raw
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Refuse a network interface that would add lines to the env file
  ansible.builtin.assert:
    that: sglang_network_interface is llmops.sglang.printable
"""

RETURN = r"""
_value:
  description: Whether the text is safe.
  type: bool
"""

from ansible_collections.llmops.sglang.plugins.module_utils.safe_text import is_printable


class TestModule(object):
    def tests(self):
        return {"printable": is_printable}
