# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What text may reach a systemd unit, an env file, a YAML config or a command line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

# control characters (newline, tab, escape ...) and invisible format characters (bidi overrides,
# zero-width, line and paragraph separators): a newline opens a new unit directive or env line,
# the others hide what a reviewer reads
HOST_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}\Z")
UNSAFE_TEXT_RE = re.compile(u"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def is_printable(value):
    """True for text with no control or format character (non-strings: their text)."""
    return not UNSAFE_TEXT_RE.search(value if isinstance(value, str) else str(value))


def kind_of(value):
    """A value's kind in YAML words (Ansible hands over its own str/list/dict subclasses, whose
    class names mean nothing to a user)."""
    for kind, types in (("boolean", bool), ("mapping", dict), ("list", (list, tuple)),
                        ("string", str), ("number", (int, float))):
        if isinstance(value, types):
            return kind
    return "null" if value is None else type(value).__name__


# inventory host names become file and folder names (plans/<host>.json, reports/.../<host>/):
# no separators, no dot files
FILE_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:@%+-]{0,199}\Z")


def file_name_error(host):
    """Why this inventory host name cannot name a file, or None."""
    if isinstance(host, str) and FILE_NAME_RE.match(host):
        return None
    return ("%s: the inventory host name %s cannot name the host's plan or report file: allowed "
            "are 1-200 letters, digits and . _ : @ %% + -, not starting with . or -" % (
                json.dumps(host), json.dumps(host)))


def is_ip(value):
    """Whether the text is an IPv4 or IPv6 address (without an IPv6 scope id, '%...', which
    may hold any character)."""
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return "%" not in str(value)


def host_port(address, port):
    """address:port as a URL or a scrape target spells it: an IPv6 address in brackets."""
    address = str(address)
    return "%s:%d" % ("[%s]" % address if ":" in address else address, int(port))


def is_address(value):
    """An IP address or a host name (letters, digits, '.', '-'): what may follow http:// or
    stand before a port, with nothing else in it."""
    return is_ip(value) or bool(HOST_NAME_RE.match(str(value)))
