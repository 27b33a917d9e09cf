# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway's workers: which hosts it routes to, at which URL, and what to change in the
running gateway's worker list to get there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible_collections.llmops.sglang.plugins.module_utils import deployed_plan, safe_text

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class WorkerError(ValueError):
    """A worker the gateway cannot be given (its message names the host and the value)."""


def worker_address(host, host_vars):
    """Where the gateway reaches a worker: its sglang_advertise_address, else the address Ansible
    reaches it at, else its inventory name."""
    for name in ("sglang_advertise_address", "ansible_host"):
        value = host_vars.get(name)
        if value:
            return _checked(host, name, value)
    return _checked(host, "inventory_hostname", host)


def url(address, port):
    return "http://%s:%d" % ("[%s]" % address if ":" in address else address, int(port))


def workers(records, pending, vars_of):
    """The workers to route to, in inventory order: hosts whose deployed plan was read, that
    serve (rank 0 of a replica) and have no restart still to verify.
    `records`/`pending`: the results of slurp/stat looped over the workers (item = host)."""
    pending_hosts = {r.get("item") for r in pending if (r.get("stat") or {}).get("exists")}
    out = []
    for result in records:
        host = result.get("item")
        if not result.get("content") or host in pending_hosts:
            continue
        try:
            text = base64.b64decode(result["content"]).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            continue
        record = deployed_plan.parse(text)
        if record is None or not record["plan"].get("serving_node", True):
            continue
        plan = record["plan"]
        address = worker_address(host, vars_of(host))
        out.append({
            "host": host,
            "url": url(address, plan["port"]),
            "model": plan["served_model_name"],
            "listen": plan.get("host", ""),
            "loopback": str(plan.get("host", "")) in LOOPBACK,
            "start_timeout_s": int(plan.get("start_timeout_s") or 0),
            "summary": "%s: %s serves %s" % (host, url(address, plan["port"]), plan["served_model_name"]),
        })
    return out


def changes(wanted_urls, registered):
    """What to ask of the running gateway: (URLs to add, worker ids to remove). `registered` is
    smg's GET /workers list ({"id", "url", ...})."""
    have = {w.get("url"): w.get("id") for w in registered}
    add = [u for u in wanted_urls if u not in have]
    remove = [have[u] for u in sorted(have) if u not in wanted_urls]
    return add, remove


def _checked(host, name, value):
    text = str(value)
    if not safe_text.is_address(text):
        raise WorkerError("%s: %s=%r is not an IP address or host name the gateway can reach"
                          % (host, name, value))
    return text
