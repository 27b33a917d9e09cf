# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rollout_reasons
short_description: Why a host's SGLang servers must be rolled
version_added: "0.3.0"
description:
  - From the version C(<root>/current) points at, the version wanted, the deployed plan record
    (the slurped C(<instance>.plan.json) text), this run's plan, the restart markers still there and
    the files the service would write differently, the reasons to roll the host; an empty list
    when there is nothing to do.
  - The same file holds C(rollout_ready_elsewhere) (smg's C(GET /workers) list, the model and the
    URLs leaving -> the healthy workers of that model that stay), C(rollout_bench_regressions) (the
    canary's bench_serving record before and after, and the allowed regression in percent -> why it
    regressed, an empty list when it did not), C(rollout_bench_summary) (what the rollout record
    keeps of a bench_serving record), C(rollout_canary_profiles) (the canary's profile and a count
    -> that many copies, named apart) and C(rollout_bench_best) (bench_serving records -> their
    best, metric by metric).
options:
  _input:
    description: The version C(<root>/current) points at (empty when none).
    type: str
    required: true
  wanted:
    description: The version wanted.
    type: str
    required: true
  recorded_text:
    description: The deployed plan record's text (empty when none).
    type: str
    required: true
  planned:
    description: "This run's C({sglang_version, command, argv})."
    type: dict
    required: true
  pending:
    description: Restart markers still there.
    type: list
    elements: str
    required: true
  stale_files:
    description: Files the service would write differently.
    type: list
    elements: str
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Why this host rolls
  ansible.builtin.set_fact:
    reasons: "{{ current | llmops.sglang.rollout_reasons(wanted, recorded, planned, pending, stale) }}"
"""

RETURN = r"""
_value:
  description: The reasons, as short phrases.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible_collections.llmops.sglang.plugins.module_utils import deployed_plan, rollout


def _rollout_reasons(current, wanted, recorded_text, planned, pending, stale_files):
    recorded = deployed_plan.parse(recorded_text) if recorded_text else None
    return rollout.reasons(str(current or ""), str(wanted), recorded, dict(planned), list(pending),
                           list(stale_files))


def _rollout_ready_elsewhere(registered, model, leaving_urls):
    return rollout.ready_elsewhere(list(registered or []), str(model), list(leaving_urls))


def _rollout_bench_regressions(baseline, after, max_pct, profile="canary"):
    return rollout.bench_regressions(dict(baseline or {}), dict(after or {}), float(max_pct), str(profile))


def _rollout_bench_summary(record):
    return rollout.bench_summary(dict(record or {}))


def _rollout_canary_profiles(profile, runs):
    # anything but a mapping goes on as it is: the bench role's check names what is wrong with it
    return rollout.canary_profiles(dict(profile), int(runs)) if isinstance(profile, Mapping) else [profile]


def _rollout_bench_best(records):
    return rollout.best_run(list(records or []))


class FilterModule(object):
    def filters(self):
        return {"rollout_reasons": _rollout_reasons, "rollout_ready_elsewhere": _rollout_ready_elsewhere,
                "rollout_bench_regressions": _rollout_bench_regressions,
                "rollout_bench_summary": _rollout_bench_summary,
                "rollout_canary_profiles": _rollout_canary_profiles,
                "rollout_bench_best": _rollout_bench_best}
