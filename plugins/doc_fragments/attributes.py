# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What each module attribute means, written once; a module states only its support."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without modifying
      the target.
  diff_mode:
    description: Will return details on what has changed (or would change in check mode) when run
      in diff mode.
"""

    ACTION = r"""
options: {}
attributes:
  action:
    description: Has a corresponding action plugin, so part of the work runs on the controller.
"""

    FACTS = r"""
options: {}
attributes:
  facts:
    description: Returns an C(ansible_facts) dictionary that updates the host's facts.
"""
