# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Multi-node replicas as inventory groups. The hosts that give the same sglang_replica are the
ranks of one model, rank 0 first in inventory order; rank 0's address is the rendezvous
(SGLang's --dist-init-addr); each rank talks to it over the interface that reaches it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.llmops.sglang.plugins.module_utils import safe_text
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError

DEFAULT_RENDEZVOUS_PORT = 5757
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}\Z")
# what sglang_replica decides, so a host may not also give it
DERIVED = ("sglang_nnodes", "sglang_node_rank", "sglang_dist_init_addr")


def replica_name(host, value):
    """The replica a host belongs to (None for a host alone), checked."""
    if value is None or value == "":
        return None
    if not (isinstance(value, str) and _NAME_RE.match(value)):
        raise PlanError("%s: sglang_replica=%r must be 1-40 lower-case letters, digits, '-' or '_', "
                        "e.g. maverick-a" % (host, value))
    return value


def rendezvous_address(rank0, rank0_vars):
    """Where the ranks meet: rank 0's sglang_rendezvous_address, else the address Ansible
    reaches it at when that is an IP address, else its default IPv4 address (gathered facts),
    else its name."""
    given = rank0_vars.get("sglang_rendezvous_address")
    if given:
        return _address(rank0, "sglang_rendezvous_address", given)
    ansible_host = rank0_vars.get("ansible_host")
    if ansible_host and safe_text.is_ip(ansible_host):
        return str(ansible_host)
    facts = rank0_vars.get("ansible_facts") or {}
    default = (facts.get("default_ipv4") or {}).get("address")
    if default:
        return str(default)
    return _address(rank0, "inventory_hostname", ansible_host or rank0)


def rendezvous_port(rank0, rank0_vars):
    value = rank0_vars.get("sglang_rendezvous_port", DEFAULT_RENDEZVOUS_PORT)
    if isinstance(value, bool) or not str(value).isdigit() or not 1 <= int(value) <= 65535:
        raise PlanError("%s: sglang_rendezvous_port=%r must be a TCP port (1-65535)" % (rank0, value))
    return int(value)


def layout(ordered_hosts, vars_of):
    """{host: launch_plan arguments it gets from the inventory (nnodes, node_rank,
    dist_init_addr, and the replica's name and rank 0)} for every host that gives sglang_replica.
    `vars_of(host)` is the host's variables. One pass over the inventory: each host's variables
    are read once. Refuses a host of a replica that also gives one of the derived arguments."""
    members = {}
    for host in ordered_hosts:
        own = vars_of(host)
        replica = replica_name(host, own.get("sglang_replica"))
        if replica is None:
            continue
        given = [v for v in DERIVED if v in own]
        if given:
            raise PlanError("%s: sglang_replica=%s sets the ranks from the inventory order; remove "
                            "%s (rank 0 is the replica's first host)" % (host, replica, ", ".join(given)))
        members.setdefault(replica, []).append((host, own))
    out = {}
    for replica, ranks in members.items():
        rank0, rank0_vars = ranks[0]
        address = rendezvous_address(rank0, rank0_vars)
        port = rendezvous_port(rank0, rank0_vars)
        where = safe_text.host_port(address, port)
        for index, (host, _own) in enumerate(ranks):
            out[host] = {"nnodes": len(ranks), "node_rank": index, "dist_init_addr": where,
                         "replica": replica, "rank0": rank0}
    return out


def interface_to(address, facts):
    """The interface of a host (its gathered facts) that reaches `address`: the one holding it,
    else one on its subnet, else the default route's. '' when none is known."""
    try:
        target = ipaddress.ip_address(str(address).strip("[]"))
    except ValueError:
        return ""
    holding, on_subnet = [], []
    for name in facts.get("interfaces") or []:
        entry = facts.get(name.replace("-", "_").replace(":", "_")) or {}
        for net in _networks(entry, target.version):
            if net.ip == target:
                holding.append(entry.get("device", name))
            elif target in net.network:
                on_subnet.append(entry.get("device", name))
    if holding or on_subnet:
        return (holding or on_subnet)[0]
    key = "default_ipv4" if target.version == 4 else "default_ipv6"
    return (facts.get(key) or {}).get("interface", "")


def rank_differences(records):
    """What differs between the ranks of one replica: a list of 'what: host=value, ...' lines.
    `records` is [(host, {"sglang_version", "argv" (without the node rank), "gpus"})]."""
    lines = []
    for key in ("sglang_version", "gpus", "argv"):
        values = [(host, record.get(key)) for host, record in records]
        if len(set(_hashable(value) for _host, value in values)) > 1:
            lines.append("%s differs: %s" % (key, ", ".join(
                "%s=%s" % (host, " ".join(v) if isinstance(v, list) else v) for host, v in values)))
    return lines


def argv_without_rank(argv):
    """A rank's planned arguments without its own --node-rank."""
    out, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item == "--node-rank":
            skip = True
        else:
            out.append(item)
    return out


def _networks(entry, version):
    key, secondaries = ("ipv4", "ipv4_secondaries") if version == 4 else ("ipv6", None)
    found = entry.get(key) or []
    found = [found] if isinstance(found, dict) else list(found)
    found += entry.get(secondaries) or [] if secondaries else []
    for item in found:
        try:
            if version == 4:
                yield ipaddress.ip_interface("%s/%s" % (item["address"], item["netmask"]))
            else:
                yield ipaddress.ip_interface("%s/%s" % (item["address"], item["prefix"]))
        except (KeyError, ValueError):
            continue


def _address(host, name, value):
    text = str(value)
    if not safe_text.is_address(text):
        raise PlanError("%s: %s=%r is not an IP address or host name" % (host, name, value))
    return text


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value
