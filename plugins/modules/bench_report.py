#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation only: the work is done on the controller by plugins/action/bench_report.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: bench_report
short_description: Write benchmark and accuracy results, and a report with plots, on the controller
version_added: "0.2.0"
description:
  - Runs on the controller (an action plugin). Writes each host's results under
    O(report_dir)/<host>/ (C(<profile>.jsonl) as SGLang's C(bench_serving) wrote them,
    C(accuracy.json), C(host.json) with the launch plan), never overwriting a result file.
  - For a gateway host (C(host.target) C(gateway)), also C(<profile>.fleet.json), each replica's
    share of the profile's requests (the C(gateway_shares) filter's result), and a report table of
    the fleet's throughput with each replica's requests and share.
  - Then builds C(report.md), C(report.html), C(summary.json) and C(plots/*.png) (matplotlib) from
    every host folder in O(report_dir) - output tokens/s, TTFT, ITL and TPOT percentiles, and each
    host's batch-1 decode rate as a percentage of its decode ceiling (GPU memory bandwidth x GPUs
    / bytes of active weights read per token, the launch plan's C(active_weight_bytes_per_token);
    for plans recorded before they carried it, estimated from the active parameters at one byte
    width for the whole model and marked C(estimate) in the report).
  - With O(baseline_dir), compares every host and profile with the same host and profile there and
    returns the hosts that regressed by more than O(regression_pct) percent.
  - Secret-named fields (C(api_key), tokens, passwords) are redacted before anything is written.
  - An argument that is not one of the options below (a misspelling) fails the task, naming it and
    the options.
options:
  report_dir:
    description: The run's report directory (C(reports/<cluster>/<timestamp>)).
    type: path
    required: true
  results:
    description:
      - Per host, what to write first; each value holds C(host) (a dict), C(profiles) (profile name
        to bench_serving records), C(accuracy) (a dict) and, through a gateway, C(fleet) (profile
        name to each replica's share).
    type: dict
    default: {}
  hosts:
    description: Inventory hosts whose O(result_vars) to write (what the roles set).
    type: list
    elements: str
    default: []
  result_vars:
    description: The host variables holding results (each with C(host) and C(profiles) or C(accuracy)).
    type: list
    elements: str
    default: [sglang_bench_result, sglang_accuracy_result]
  baseline_dir:
    description: An earlier report directory to compare with.
    type: path
  regression_pct:
    description: How much worse than the baseline (percent) a metric may be before its host fails.
      Gated metrics are output tok/s and the median TTFT, ITL and TPOT.
    type: float
    default: 10
  cluster:
    description: The cluster's name, for the report's title.
    type: str
  timestamp:
    description: The run's timestamp, for the title (default the directory's name).
    type: str
  plots:
    description: Draw the plots (needs matplotlib on the controller).
    type: bool
    default: true
extends_documentation_fragment:
  - llmops.sglang.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
author:
  - llmops.sglang contributors (@llmops)
"""

EXAMPLES = r"""
- name: Write the report
  llmops.sglang.bench_report:
    report_dir: reports/prod/20261127T120000Z
    results: "{{ results_by_host }}"
    baseline_dir: reports/prod/20261101T090000Z
  delegate_to: localhost
  run_once: true
  register: report
"""

RETURN = r"""
report_md:
  description: Path of the Markdown report.
  type: str
  returned: success
report_html:
  description: Path of the HTML report.
  type: str
  returned: success
plots:
  description: Paths of the PNG plots written.
  type: list
  elements: str
  returned: success
summary:
  description:
    - Per host, the decode ceiling and the batch-1 decode rate as a share of it.
    - The ceiling's C(estimated) is true when its bytes per token were estimated for a plan
      recorded without C(active_weight_bytes_per_token).
  type: dict
  returned: success
regressions:
  description: Per host that regressed against O(baseline_dir), one message per metric.
  type: dict
  returned: success
written:
  description: Files written (or that would be, in check mode).
  type: list
  elements: str
  returned: always
"""
