# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: prometheus_targets
short_description: Prometheus file_sd target groups for the SGLang fleet
version_added: "0.4.0"
description:
  - From the deployed-plan records read on each SGLang host (C(slurp) looped over the hosts), every
    server of every rank as job C(sglang) (labels C(cluster), C(host), C(unit), C(model),
    C(node_rank), C(nnodes)); each gateway host's metrics listener as job C(sglang-gateway); node
    exporter on every host as job C(node); DCGM exporter on the hosts given as job C(dcgm).
  - A listener on loopback is scraped only when Prometheus runs on that host; otherwise it is
    listed under C(unreachable), as is a host whose plan could not be read.
options:
  _input:
    description: The slurp results of each host's deployed plan (C(item) is the host).
    type: list
    elements: dict
    required: true
  gateways:
    description: The gateway hosts.
    type: list
    elements: str
    required: true
  exporter_hosts:
    description: The hosts to scrape node exporter on.
    type: list
    elements: str
    required: true
  dcgm_hosts:
    description: The hosts whose DCGM exporter answered.
    type: list
    elements: str
    required: true
  hostvars:
    description: C(hostvars).
    type: raw
    required: true
  options:
    description: C(prometheus_host) (the inventory name Prometheus runs on), C(cluster),
      C(node_exporter_port) (0 for none), C(dcgm_port), C(gateway_metrics_host) and
      C(gateway_metrics_port) for a gateway host that does not set them, and C(previous_sglang), the
      text of the sglang job's file written last time (a host whose plan cannot be read keeps its
      targets from it).
    type: dict
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Scrape targets
  ansible.builtin.set_fact:
    targets: >-
      {{ records.results | llmops.sglang.prometheus_targets(groups['sglang_gateway'], groups['sglang'], [],
         hostvars, {'prometheus_host': inventory_hostname, 'cluster': 'dc1', 'node_exporter_port': 9100,
         'dcgm_port': 9400, 'gateway_metrics_host': '127.0.0.1', 'gateway_metrics_port': 29000}) }}
"""

RETURN = r"""
_value:
  description: "{jobs: {sglang: [{targets, labels}], sglang-gateway: [...], node: [...], dcgm: [...]},
    unreachable: [text]}"
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils import gateway, monitoring


def _targets(records, gateways, exporter_hosts, dcgm_hosts, hostvars, options):
    try:
        return monitoring.targets(records, gateways, exporter_hosts, dcgm_hosts,
                                  lambda host: hostvars[host], options)
    except gateway.WorkerError as err:
        raise AnsibleFilterError(str(err))


class FilterModule(object):
    def filters(self):
        return {"prometheus_targets": _targets}
