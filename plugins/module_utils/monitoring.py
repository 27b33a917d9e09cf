# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prometheus scrape targets (file_sd) for a fleet, from the deployed plans recorded on the hosts:
every SGLang server of every rank, every gateway's metrics listener, node exporter on each host,
and DCGM exporter where one answers. A target only reachable on its own host's loopback is kept
only when Prometheus runs on that host; the others are reported, not scraped."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

from ansible_collections.llmops.sglang.plugins.module_utils import deployed_plan, gateway, safe_text, servers


def _record(result):
    """The deployed-plan record of one slurp result, or None."""
    if not result.get("content"):
        return None
    try:
        return deployed_plan.parse(base64.b64decode(result["content"]).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _address(host, listen, port, host_vars, prometheus_host):
    """host:port Prometheus scrapes, or None where the listener is on loopback of another host."""
    if gateway.is_loopback(listen) or listen in ("localhost",):
        return ("127.0.0.1:%d" % int(port)) if host == prometheus_host else None
    where = gateway.worker_address(host, host_vars)
    return safe_text.host_port(where, port)


def _group(target, labels):
    return {"targets": [target], "labels": labels}


def server_targets(records, vars_of, prometheus_host, cluster, previous=()):
    """(target groups, unreachable notes) for every SGLang server of the recorded plans, every
    rank included (a rank >= 1 serves its metrics on the same port). A host whose record could not
    be read (unreachable, a read error) keeps its targets of `previous` (the file written last
    time): dropping them would hide exactly the host in trouble from the down alert."""
    groups, unreachable = [], []
    for host in gateway.unread(records):
        kept = [g for g in previous if isinstance(g, dict) and (g.get("labels") or {}).get("host") == host]
        groups += kept
        unreachable.append("%s: its plan could not be read; %d target(s) of the last run kept"
                           % (host, len(kept)))
    for result in records:
        host, record = result.get("item"), _record(result)
        if record is None:
            continue
        plan = record["plan"]
        instance = str(record.get("instance") or "main")
        for server in servers.servers(plan, instance, "/", "/"):
            target = _address(host, plan.get("host", ""), server["port"], vars_of(host),
                              prometheus_host)
            if target is None:
                unreachable.append("%s: %s listens on %s only" % (host, server["unit"], plan.get("host")))
                continue
            groups.append(_group(target, {
                "cluster": cluster, "host": host, "unit": server["unit"],
                "model": str(plan.get("served_model_name", "")),
                "node_rank": str(plan.get("node_rank", 0)), "nnodes": str(plan.get("nnodes", 1))}))
    return groups, unreachable


def gateway_targets(hosts, vars_of, prometheus_host, cluster, defaults):
    """Each gateway's metrics listener; defaults: (host, port) where its variables give none."""
    groups, unreachable = [], []
    for host in hosts:
        host_vars = vars_of(host)
        listen = str(host_vars.get("sglang_gateway_metrics_host", defaults[0]))
        target = _address(host, listen, host_vars.get("sglang_gateway_metrics_port", defaults[1]),
                          host_vars, prometheus_host)
        if target is None:
            unreachable.append("%s: the gateway's metrics listen on %s only" % (host, listen))
            continue
        groups.append(_group(target, {"cluster": cluster, "host": host}))
    return groups, unreachable


def exporter_targets(hosts, vars_of, port, cluster):
    return [_group(_address(h, "", port, vars_of(h), None), {"cluster": cluster, "host": h})
            for h in hosts]


def _groups(text):
    """The target groups of a file_sd file's text ([] for none or what is not one)."""
    try:
        groups = json.loads(text) if text else []
    except ValueError:
        return []
    return groups if isinstance(groups, list) else []


def targets(records, gateways, exporter_hosts, dcgm_hosts, vars_of, options):
    """{job: [target group]} and the unreachable notes. options: prometheus_host, cluster,
    node_exporter_port (0: none), dcgm_port, gateway_metrics_host and gateway_metrics_port (the
    defaults of a gateway host that does not set them), previous_sglang (the text of the sglang
    job's file written last time, '' if none)."""
    cluster, where = options["cluster"], options["prometheus_host"]
    sglang, missed = server_targets(records, vars_of, where, cluster,
                                    _groups(options.get("previous_sglang")))
    gateways_, missed_gw = gateway_targets(gateways, vars_of, where, cluster, (
        options["gateway_metrics_host"], options["gateway_metrics_port"]))
    node_port = int(options.get("node_exporter_port") or 0)
    return {
        "jobs": {
            "sglang": sglang,
            "sglang-gateway": gateways_,
            "node": exporter_targets(exporter_hosts, vars_of, node_port, cluster) if node_port else [],
            "dcgm": exporter_targets(dcgm_hosts, vars_of, int(options["dcgm_port"]), cluster),
        },
        "unreachable": missed + missed_gw,
    }
