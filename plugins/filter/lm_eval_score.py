# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: lm_eval_score
short_description: The score of one task (or group) from lm-eval's results file
version_added: "0.2.0"
description:
  - Picks the task's metric (for MMLU-Pro C(exact_match) after the C(custom-extract) filter) and
    returns it with its standard error and the number of questions.
options:
  _input:
    description: lm-eval's parsed C(results_*.json).
    type: dict
    required: true
  task:
    description: The task or group name (C(mmlu_pro)).
    type: str
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: The MMLU-Pro score
  ansible.builtin.debug:
    msg: "{{ (lm_eval.result | llmops.sglang.lm_eval_score('mmlu_pro')).score }}"
"""

RETURN = r"""
_value:
  description: C(task), C(metric), C(score), C(stderr), C(samples).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils.accuracy import (
    AccuracyError,
    score_from_results,
)


def _lm_eval_score(results, task):
    try:
        return score_from_results(results, task)
    except AccuracyError as exc:
        raise AnsibleFilterError("lm_eval_score: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"lm_eval_score": _lm_eval_score}
