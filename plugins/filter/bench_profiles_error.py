# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_profiles_error
short_description: Why benchmark profiles cannot run, or an empty string
version_added: "0.1.0"
description:
  - Checks benchmark profiles as P(llmops.sglang.bench_runs#filter) does and returns the reason
    they cannot run (naming the host, the profile, the key and the value) instead of failing, so
    a play can stop with that reason as its only message.
options:
  _input:
    description: The profiles (C(sglang_bench_profiles)).
    type: list
    elements: dict
    required: true
  selected:
    description: Names of the profiles to run (default all).
    type: list
    elements: str
  host:
    description: The host named in the reason.
    type: str
  defaults:
    description: Values for keys a profile leaves out.
    type: dict
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: The profiles can run
  ansible.builtin.assert:
    that: reason | length == 0
    fail_msg: "{{ reason }}"
  vars:
    reason: "{{ sglang_bench_profiles | llmops.sglang.bench_profiles_error(host=inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: The reason, or an empty string when the profiles can run.
  type: str
"""

from ansible_collections.llmops.sglang.plugins.module_utils.bench_profiles import (
    ProfileError,
    validate_profiles,
)


def _bench_profiles_error(profiles, selected=None, host="this host", defaults=None):
    try:
        validate_profiles(profiles, selected, host, defaults)
    except ProfileError as exc:
        return str(exc)
    return ""


class FilterModule(object):
    def filters(self):
        return {"bench_profiles_error": _bench_profiles_error}
