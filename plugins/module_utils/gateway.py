# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway's workers: which hosts it routes to, at which URL, and what to change in the
running gateway's worker list to get there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import ipaddress
import os
import re

from ansible_collections.llmops.sglang.plugins.module_utils import deployed_plan, safe_text, servers
from ansible_collections.llmops.sglang.plugins.module_utils.planner import local_url


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
    return "http://" + safe_text.host_port(address, port)


def api_urls(gateways, vars_of, from_host=None):
    """[{"host", "url"}] for every gateway host, in inventory order: its API as `from_host` reaches
    it. From the gateway's own host (or from_host None: each from its own host, as a task
    delegated to it) the address it listens on, loopback when that is every address; from another
    host its advertised address, or url None where it listens on loopback. vars_of(host): its
    sglang_gateway_host, sglang_gateway_port, sglang_advertise_address and ansible_host."""
    out = []
    for host in gateways:
        host_vars = vars_of(host)
        listen = host_vars.get("sglang_gateway_host")
        port = str(host_vars.get("sglang_gateway_port"))
        if not isinstance(listen, str) or not safe_text.is_address(listen):
            raise WorkerError("%s: sglang_gateway_host=%r is not an IP address or host name"
                              % (host, host_vars.get("sglang_gateway_host")))
        if not re.match(r"[0-9]{1,5}\Z", port) or not 1 <= int(port) <= 65535:
            raise WorkerError("%s: sglang_gateway_port=%r is not a TCP port (1 to 65535)"
                              % (host, host_vars.get("sglang_gateway_port")))
        if from_host is None or host == from_host:
            where = local_url(listen, int(port))
        elif is_loopback(listen):
            where = None
        else:
            where = url(worker_address(host, host_vars), port)
        out.append({"host": host, "url": where})
    return out


def is_loopback(address):
    """Whether a server listening there answers only its own machine."""
    text = str(address)
    if text == "localhost":
        return True
    return safe_text.is_ip(text) and ipaddress.ip_address(text).is_loopback


def unread(records):
    """Worker hosts whose record could not be read (unreachable, or a read error other than a
    missing file): what they serve is unknown, so the gateway's list is not shrunk for them."""
    out = []
    for result in records:
        missing = "not found" in str(result.get("msg", "")).lower()
        if result.get("unreachable") or (result.get("failed") and not missing):
            out.append(result.get("item"))
    return out


def workers(records, pending, vars_of):
    """The workers to route to, in inventory order: every server (servers.servers) of the hosts
    whose deployed plan was read, that serve (rank 0 of a replica) and have no restart still to
    verify. `records`: the results of slurp looped over the workers (item = host); `pending`:
    of find over each worker's restart-pending folder (its files: the units to restart)."""
    # a host whose markers could not be looked for may have a restart pending: none of its
    # servers is added (unread() keeps those registered)
    unsure = set(unread(pending))
    pending_units = {}
    for result in pending:
        pending_units[result.get("item")] = {os.path.basename(f.get("path", ""))
                                             for f in result.get("files") or []}
    out = []
    for result in records:
        host = result.get("item")
        if not result.get("content") or host in unsure:
            continue
        try:
            text = base64.b64decode(result["content"]).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            continue
        record = deployed_plan.parse(text)
        if record is None or not record["plan"].get("serving_node", True):
            continue
        plan = record["plan"]
        loopback = is_loopback(plan.get("host", ""))
        instance = str(record.get("instance") or "main")
        for server, where in server_urls(host, plan, instance, vars_of(host)):
            if server["unit"] in pending_units.get(host, ()):
                continue
            out.append({
                "host": host,
                "url": where,
                "model": plan["served_model_name"],
                "listen": plan.get("host", ""),
                "loopback": loopback,
                "start_timeout_s": int(plan.get("start_timeout_s") or 0),
                "summary": "%s: %s serves %s" % (host, where, plan["served_model_name"]),
            })
    return out


def server_urls(host, plan, instance, host_vars):
    """[(server, the URL the gateway reaches it at)] for every server of a host's plan."""
    loopback = is_loopback(plan.get("host", ""))
    out = []
    for server in servers.servers(plan, instance, "/", "/"):
        # a worker on loopback is reachable only from its own host (the gateway's, or refused)
        where = server["local_url"] if loopback and server["local_url"] else url(
            worker_address(host, host_vars), server["port"])
        out.append((server, where))
    return out


def changes(wanted_urls, registered, keep_all=False):
    """What to ask of the running gateway: (URLs to add, worker ids to remove). `registered` is
    smg's GET /workers list ({"id", "url", ...}). keep_all: remove nothing (a worker host could
    not be read, and may serve one of the registered URLs)."""
    have = {w.get("url"): w.get("id") for w in registered}
    add = [u for u in wanted_urls if u not in have]
    remove = [] if keep_all else [have[u] for u in sorted(have) if u not in wanted_urls]
    return add, remove


def lacking(gateways, worker_lists, urls):
    """[{"host", "api", "url"}]: for each gateway ({"host", "url"}) and its GET /workers list (None
    or [] when it did not answer), each of `urls` it lacks: absent, or still draining the old
    entry (smg then refuses the new one with 409 until it is gone)."""
    out = []
    for gateway, registered in zip(gateways, worker_lists):
        registered = registered if isinstance(registered, list) else []
        settled = {w.get("url") for w in registered
                   if isinstance(w, dict) and w.get("status") != "draining"}
        out += [{"host": gateway["host"], "api": gateway["url"], "url": u}
                for u in urls if u not in settled]
    return out


def _checked(host, name, value):
    text = str(value)
    if not safe_text.is_address(text):
        raise WorkerError("%s: %s=%r is not an IP address or host name the gateway can reach"
                          % (host, name, value))
    return text
