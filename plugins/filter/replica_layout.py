# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: replica_layout
short_description: The ranks of every multi-node replica of the inventory
version_added: "0.1.0"
description:
  - The hosts that give the same C(sglang_replica) are the ranks of one model, rank 0 first in
    inventory order. Returns, for each of them, the C(nnodes), C(node_rank) and
    C(dist_init_addr) the planner gets (rank 0's C(sglang_rendezvous_address), else the IP
    address Ansible reaches it at, else its default IPv4 address, and C(sglang_rendezvous_port),
    default 5757), with the replica's name and rank 0.
  - A host of a replica that also sets C(sglang_nnodes), C(sglang_node_rank) or
    C(sglang_dist_init_addr) is refused.
  - The same file holds C(interface_to) (a host's facts and an address -> the interface that
    reaches it) and C(rank_differences) (a replica's ranks and hostvars -> what differs between
    their plans, in SGLang version, GPUs and arguments other than the node rank).
options:
  _input:
    description: Every inventory host, in inventory order (C(groups['all'])).
    type: list
    elements: str
    required: true
  hostvars:
    description: C(hostvars).
    type: raw
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: The ranks of every replica, read once
  ansible.builtin.set_fact:
    replicas: "{{ groups['all'] | llmops.sglang.replica_layout(hostvars) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: host -> {nnodes, node_rank, dist_init_addr, replica, rank0}, for hosts of a replica.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils import replicas
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError

# what a host of a replica is read for (templated; the rest of its variables are not touched)
_READ = ("sglang_replica", "sglang_rendezvous_address", "sglang_rendezvous_port", "ansible_host")


def _vars_of(hostvars):
    def read(host):
        raw = hostvars.raw_get(host)
        if "sglang_replica" not in raw:
            return {}
        own = hostvars[host]
        out = {key: own[key] for key in _READ if key in raw}
        out.update((key, None) for key in replicas.DERIVED if key in raw)
        out["ansible_facts"] = raw.get("ansible_facts") or {}
        return out
    return read


def _replica_layout(hosts, hostvars):
    try:
        return replicas.layout(list(hosts), _vars_of(hostvars))
    except PlanError as exc:
        raise AnsibleFilterError(str(exc))


def _rank_differences(ranks, hostvars):
    """What differs between the plans of a replica's ranks (see replicas.rank_differences)."""
    records = []
    for host in ranks:
        launch = hostvars[host]["sglang_launch"]
        plan = launch["plan"]
        records.append((host, {
            "sglang_version": plan["sglang_version"],
            # the driver may differ between hosts (NCCL does not need the same one)
            "gpus": plan["gpus"],
            "argv": replicas.argv_without_rank(list(launch["argv"]))}))
    return replicas.rank_differences(records)


def _interface_to(facts, address):
    return replicas.interface_to(address, facts or {})


class FilterModule(object):
    def filters(self):
        return {"replica_layout": _replica_layout,
                "interface_to": _interface_to,
                "rank_differences": _rank_differences}
