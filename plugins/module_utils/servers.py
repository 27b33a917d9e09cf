# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SGLang servers of one host (sglang_replicas_per_host): for each, its unit, config file,
restart marker, port, URL and the options it adds to the plan's argv. One server keeps the names
it always had (sglang-<instance>.service, <instance>.yaml); several are sglang-<instance>-<i>."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# the units of an instance; instance names may not end in -<number> (names.yml), so the
# pattern matches no other instance's units
_UNIT_RE = r"^sglang-%s(-[0-9]+)?\.service$"


def unit_pattern(instance):
    """A regular expression matching every unit an instance may have had (one server or several)."""
    return _UNIT_RE % re.escape(instance)


def servers(plan, instance, install_root, config_dir):
    """[{index, unit, name, config, marker, port, local_url, argv}] in the plan's order. A plan
    recorded before replicas_per_host existed has one server: its port and local_url."""
    replicas = plan.get("replicas") or [{"index": 0, "port": plan["port"], "local_url": plan.get("local_url"),
                                         "argv": []}]
    several = len(replicas) > 1
    out = []
    for replica in replicas:
        name = "%s-%d" % (instance, replica["index"]) if several else instance
        unit = "sglang-%s.service" % name
        out.append({
            "index": replica["index"],
            "name": name,
            "unit": unit,
            "config": "%s/%s.yaml" % (config_dir.rstrip("/"), name),
            "marker": "%s/restart-pending/%s" % (install_root.rstrip("/"), unit),
            "port": replica["port"],
            "local_url": replica["local_url"],
            "argv": list(replica.get("argv") or []),
            "description": "replica %d of %d" % (replica["index"], len(replicas)) if several else "",
        })
    return out
