# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: gateway_workers
short_description: The SGLang servers a gateway routes to
version_added: "0.1.0"
description:
  - From the deployed-plan records read on each worker host (C(slurp) looped over the hosts) and
    the restart markers found there (C(find) over each host's restart-pending folder, looped the
    same way), the workers to route to, that is every SGLang server (C(sglang_replicas_per_host))
    of the hosts with a deployed plan that serve (rank 0 of a replica), but for a server whose
    restart is still to verify.
  - Each worker's URL is C(http://<address>:<planned port>), the address being the host's
    C(sglang_advertise_address), else its C(ansible_host), else its inventory name.
  - The same file holds C(gateway_server_urls) (host names and C(hostvars) -> the URL the gateway
    reaches each of their servers at, from each host's C(sglang_launch) plan), C(gateway_api_urls)
    (the C(sglang_gateway) group, C(hostvars), the default listen address and port, and the host
    that asks -> each gateway's API URL from there, that is its listen address on its own host
    (loopback when that is every address), else its advertised address, or none where it listens
    on loopback; with no asking host, each from its own host, as a task delegated to it), C(gateway_changes)
    (wanted URLs, smg's C(GET /workers) list and
    whether to keep every registered worker -> the URLs to add and the worker ids to remove),
    C(gateway_lacking) (the gateways, their C(GET /workers) answers in the same order, and the
    URLs each should have -> [{host, api, url}] for each URL a gateway lacks, absent or still
    draining its old entry) and C(gateway_unread) (the slurp results -> the hosts whose record
    could not be read).
options:
  _input:
    description: The slurp results, one per worker host (C(item) is the host).
    type: list
    elements: dict
    required: true
  pending:
    description: The find results over each worker host's restart-pending folder, one per worker host.
    type: list
    elements: dict
    required: true
  hostvars:
    description: C(hostvars).
    type: raw
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: The workers to route to
  ansible.builtin.set_fact:
    workers: "{{ records.results | llmops.sglang.gateway_workers(pending.results, hostvars) }}"
"""

RETURN = r"""
_value:
  description: "[{host, url, model, listen, loopback, start_timeout_s, summary}], in inventory order."
  type: list
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils import gateway


def _gateway_workers(records, pending, hostvars):
    try:
        return gateway.workers(list(records), list(pending),
                               lambda host: {k: hostvars[host].get(k) for k in
                                             ("sglang_advertise_address", "ansible_host")})
    except gateway.WorkerError as exc:
        raise AnsibleFilterError(str(exc))


def _gateway_server_urls(hosts, hostvars):
    out = []
    try:
        for host in hosts:
            host_vars = hostvars[host]
            plan = host_vars["sglang_launch"]["plan"]
            address_vars = {k: host_vars.get(k) for k in ("sglang_advertise_address", "ansible_host")}
            out += [where for _server, where in gateway.server_urls(
                host, plan, str(host_vars.get("sglang_instance") or "main"), address_vars)]
    except gateway.WorkerError as exc:
        raise AnsibleFilterError(str(exc))
    except KeyError as exc:
        raise AnsibleFilterError("gateway_server_urls: %s has no plan (%s)" % (host, exc))
    return out


def _gateway_api_urls(gateways, hostvars, host_default, port_default, from_host=None):
    """Every gateway's API URL as from_host reaches it (None: each from its own host); the role's
    defaults stand in for a gateway host that sets neither."""
    def vars_of(host):
        host_vars = hostvars[host]
        out = {k: host_vars.get(k) for k in ("sglang_advertise_address", "ansible_host")}
        out["sglang_gateway_host"] = host_vars.get("sglang_gateway_host", host_default)
        out["sglang_gateway_port"] = host_vars.get("sglang_gateway_port", port_default)
        return out
    try:
        return gateway.api_urls(list(gateways or []), vars_of, from_host)
    except gateway.WorkerError as exc:
        raise AnsibleFilterError(str(exc))


def _gateway_changes(wanted_urls, registered, keep_all=False):
    add, remove = gateway.changes(list(wanted_urls), list(registered or []), bool(keep_all))
    return {"add": add, "remove": remove}


def _gateway_lacking(gateways, answers, urls):
    """answers: the uri results of GET /workers, one per gateway (a failed one has no json)."""
    bodies = [answer.get("json") if isinstance(answer, dict) else None for answer in answers]
    lists = [body.get("workers") if isinstance(body, dict) else None for body in bodies]
    return gateway.lacking(list(gateways), lists, list(urls))


def _gateway_unread(records):
    return gateway.unread(list(records))


class FilterModule(object):
    def filters(self):
        return {"gateway_workers": _gateway_workers, "gateway_changes": _gateway_changes,
                "gateway_server_urls": _gateway_server_urls, "gateway_api_urls": _gateway_api_urls,
                "gateway_unread": _gateway_unread, "gateway_lacking": _gateway_lacking}
