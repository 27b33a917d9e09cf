# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: host_port
short_description: An address and a port as a URL or a scrape target spells them
version_added: "0.4.0"
description:
  - C(address:port), an IPv6 address in brackets (C([fd00::1]:9400)).
options:
  _input:
    description: An IP address or a host name.
    type: str
    required: true
  port:
    description: The TCP port.
    type: int
    required: true
author:
  - llmops.sglang contributors
"""

EXAMPLES = r"""
- name: Ask DCGM exporter on a host
  ansible.builtin.uri:
    url: "http://{{ address | llmops.sglang.host_port(9400) }}/metrics"
"""

RETURN = r"""
_value:
  description: C(address:port).
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.sglang.plugins.module_utils import safe_text


def _host_port(address, port):
    try:
        return safe_text.host_port(address, port)
    except (TypeError, ValueError):
        raise AnsibleFilterError("host_port: %r is not a TCP port" % (port,))


class FilterModule(object):
    def filters(self):
        return {"host_port": _host_port}
