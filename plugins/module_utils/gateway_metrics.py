# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A benchmark through the gateway (smg 1.13.0), pure: where the gateway and its metrics are
reached from its host, which model it serves, and each replica's share of the requests from two
readings of its Prometheus text (tests/e2e/smg/RESEARCH.md section 6).

smg counts `smg_worker_requests_total{worker="<url>",model="<id>"}` "at each send": a request
retried on another worker counts once per worker tried (`smg_worker_retries_total`, per worker
type and endpoint, counts the retries). Every registered worker has the series from its
registration on, at 0. smg 1.13.0 exposes no per-worker token count (its `smg_engine_gen_throughput`
is the worker's own momentary rate, a gauge), so none is reported."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from ansible_collections.llmops.sglang.plugins.module_utils.planner import local_url
from ansible_collections.llmops.sglang.plugins.module_utils.safe_text import is_address

REQUESTS = "smg_worker_requests_total"
HEALTH = "smg_worker_health"
RETRIES = "smg_worker_retries_total"

_SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+-?[0-9]+)?\s*\Z")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|\Z)')
_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


class MetricsError(ValueError):
    """Text that is not Prometheus' exposition format (the message names the line)."""


def _unescape(value):
    return re.sub(r'\\[\\"n]', lambda m: _ESCAPES[m.group(0)], value)


def _labels(text, number):
    inner = text[1:-1]
    labels, pos = {}, 0
    while pos < len(inner):
        match = _LABEL.match(inner, pos)
        if not match:
            raise MetricsError("line %d: labels %s are not name=\"value\" pairs" % (number, text))
        labels[match.group(1)] = _unescape(match.group(2))
        pos = match.end()
    return labels


def _value(text, number):
    try:
        return float(text)  # also NaN, +Inf, -Inf
    except ValueError:
        raise MetricsError("line %d: %r is not a number" % (number, text))


def parse(text):
    """Prometheus text exposition -> [(name, {label: value}, float)], comments left out."""
    samples = []
    for number, line in enumerate(str(text).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if not match:
            raise MetricsError("line %d is not a sample: %.200s" % (number, line))
        name, labels, value = match.groups()
        samples.append((name, _labels(labels, number) if labels else {}, _value(value, number)))
    return samples


def snapshot(text):
    """One reading of the gateway's metrics, what a share needs:
    {"workers": {url: {"model": id, "requests": n, "healthy": bool or None}}, "retries": n}."""
    workers, health, retries = {}, {}, 0.0
    for name, labels, value in parse(text):
        if name == REQUESTS and "worker" in labels:
            row = workers.setdefault(labels["worker"], {"model": labels.get("model", ""),
                                                        "requests": 0})
            row["requests"] += int(value)
        elif name == HEALTH and "worker" in labels:
            health[labels["worker"]] = value == 1
        elif name == RETRIES and not math.isnan(value):
            retries += value
    if not workers:
        raise MetricsError("no %s series: not smg's metrics, or a gateway without workers" % REQUESTS)
    for url, row in workers.items():
        row["healthy"] = health.get(url)
    return {"workers": workers, "retries": int(retries)}


def _delta(before, after):
    """A counter's increase; a counter lower than before was reset (the gateway restarted)."""
    return (after, True) if after < before else (after - before, False)


def shares(before, after):
    """Each replica's share of the requests the gateway sent between two snapshots:
    {"dispatched": n, "retries": n, "reset": bool, "workers": [{url, model, requests, share_pct,
    healthy}], "summary": one line} (workers by URL; a worker registered in between counts from 0)."""
    old = before.get("workers") or {}
    rows, reset = [], False
    for url, now in sorted((after.get("workers") or {}).items()):
        count, was_reset = _delta((old.get(url) or {}).get("requests", 0), now["requests"])
        reset = reset or was_reset
        rows.append({"url": url, "model": now["model"], "requests": count,
                     "healthy": now.get("healthy")})
    total = sum(row["requests"] for row in rows)
    for row in rows:
        row["share_pct"] = round(100.0 * row["requests"] / total, 2) if total else None
    retries, retries_reset = _delta(before.get("retries", 0), after.get("retries", 0))
    out = {"dispatched": total, "retries": retries, "reset": reset or retries_reset,
           "workers": rows}
    out["summary"] = summary(out)
    return out


def _share_text(pct):
    return "-" if pct is None else "%.1f %%" % pct


def summary(share):
    """One line: '24 requests sent (0 retries): http://a:30000 12 (50.0 %), ...'."""
    parts = ["%s %d (%s)" % (row["url"], row["requests"], _share_text(row["share_pct"]))
             for row in share["workers"]]
    return "%d requests sent to the replicas (%d retries%s): %s" % (
        share["dispatched"], share["retries"],
        "; a counter went back: the gateway restarted" if share["reset"] else "",
        ", ".join(parts))


def urls(host, port, metrics_host, metrics_port):
    """The gateway's URL and its metrics' URL from its own host (loopback when it listens on
    every address), as its role's settings give them; MetricsError names a setting that is no
    address or port."""
    for name, value in (("sglang_gateway_host", host), ("sglang_gateway_metrics_host", metrics_host)):
        if not isinstance(value, str) or not is_address(value):
            raise MetricsError("%s=%r is not an IP address or host name" % (name, value))
    for name, value in (("sglang_gateway_port", port), ("sglang_gateway_metrics_port", metrics_port)):
        if not re.match(r"[0-9]{1,5}\Z", str(value)) or not 1 <= int(value) <= 65535:
            raise MetricsError("%s=%r is not a TCP port (1 to 65535)" % (name, value))
    return {"url": local_url(str(host), int(port)),
            "metrics_url": local_url(str(metrics_host), int(metrics_port)) + "/metrics"}


def served_model(workers):
    """The one model a gateway serves and its tokenizer, from its GET /workers list:
    {"model", "tokenizer", "workers": [url], "error"}. SGLang's bench_serving (--backend sglang)
    sends /generate without a model, which smg cannot route to one model's replicas: a gateway
    serving several models is refused."""
    models = sorted({w.get("model_id") for w in workers or [] if w.get("model_id")})
    if len(models) != 1:
        error = ("the gateway serves %s; bench_serving's /generate requests name no model, so only "
                 "a gateway of one model can be benchmarked" % (
                     "no worker" if not models else "several models (%s)" % ", ".join(models)))
        return {"model": None, "tokenizer": None, "workers": [], "error": error}
    first = workers[0]
    tokenizer = ((first.get("models") or [{}])[0].get("tokenizer_path")
                 or (first.get("labels") or {}).get("tokenizer_path") or models[0])
    return {"model": models[0], "tokenizer": tokenizer,
            "workers": sorted(w.get("url") for w in workers if w.get("url")), "error": ""}
