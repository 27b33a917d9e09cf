# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: gateway_shares
short_description: Each replica's share of the requests a gateway sent
version_added: "0.1.0"
description:
  - From two readings of the gateway's (smg) metrics, taken with C(gateway_snapshot) before and
    after a benchmark profile, the requests smg sent to each worker in between
    (C(smg_worker_requests_total), counted at each send, so a retried request counts once per
    worker tried), each worker's share in percent, the retries and the workers' health at the end.
    A counter lower than before (the gateway restarted) counts from 0 and sets C(reset).
  - The same file holds C(gateway_snapshot) (the metrics' Prometheus text -> the counters a share
    needs), C(gateway_urls) (the gateway's listen host and port and its metrics' host and port ->
    their URLs from the gateway's host) and C(gateway_served_model) (the gateway's C(GET /workers)
    list -> the one model it serves, its tokenizer and its workers, or an error).
options:
  _input:
    description: The reading after the profile (C(gateway_snapshot)'s result).
    type: dict
    required: true
  before:
    description: The reading before the profile.
    type: dict
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Each replica's share of the profile's requests
  ansible.builtin.set_fact:
    shares: >-
      {{ (after.content | llmops.sglang.gateway_snapshot)
         | llmops.sglang.gateway_shares(before_snapshot) }}
"""

RETURN = r"""
_value:
  description: "{dispatched, retries, reset, workers: [{url, model, requests, share_pct, healthy}], summary}."
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils import gateway_metrics


def _gateway_shares(after, before):
    return gateway_metrics.shares(dict(before or {}), dict(after or {}))


def _gateway_snapshot(text):
    try:
        return gateway_metrics.snapshot(str(text))
    except gateway_metrics.MetricsError as exc:
        raise AnsibleFilterError("the gateway's metrics: %s" % exc)


def _gateway_urls(host, port, metrics_host, metrics_port):
    try:
        return gateway_metrics.urls(host, port, metrics_host, metrics_port)
    except gateway_metrics.MetricsError as exc:
        raise AnsibleFilterError("the gateway's address: %s" % exc)


def _gateway_served_model(workers):
    return gateway_metrics.served_model(list(workers or []))


class FilterModule(object):
    def filters(self):
        return {"gateway_shares": _gateway_shares, "gateway_snapshot": _gateway_snapshot,
                "gateway_urls": _gateway_urls, "gateway_served_model": _gateway_served_model}
