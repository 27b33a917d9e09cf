# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: masked
short_description: Text with the given secrets replaced
version_added: "0.3.0"
description:
  - Replaces each given secret (empty ones skipped), and the value after a secret option on a
    command line (C(--api-key), C(--admin-api-key), C(--ssl-keyfile-password), C(--hf-token)), by
    C(<redacted>) in a string, or in every string of a list or mapping (a journal's lines).
options:
  _input:
    description: The text, or lines of it.
    type: raw
    required: true
  secrets:
    description: The secrets' values.
    type: list
    elements: str
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: The journal, every key masked
  ansible.builtin.set_fact:
    lines: "{{ journal.stdout_lines | llmops.sglang.masked([sglang_api_key, sglang_hf_token]) }}"
"""

RETURN = r"""
_value:
  description: The same value with the secrets replaced.
  type: raw
"""

from ansible_collections.llmops.sglang.plugins.module_utils import report_redaction


def _masked(value, secrets):
    return report_redaction.mask(value, list(secrets or []))


class FilterModule(object):
    def filters(self):
        return {"masked": _masked}
