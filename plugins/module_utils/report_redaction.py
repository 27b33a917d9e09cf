# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets out of benchmark and evaluation results, before they leave the host.

The only part of the report that travels to hosts (modules/run_client.py through
module_utils/client_run.py); the controller applies it again before writing anything.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# bench_serving writes /server_info into every record; SGLang's server_info carries the server's
# arguments, the API keys among them (seen on the real GPU run: "api_key": "<the key>"). String
# values under these names never leave the host; numbers such as kv_bytes_per_token are kept.
SECRET_KEY_PATTERN = re.compile(
    r"((^|_)(api_key|secret|password|passwd|credentials?)$)"
    r"|(^((hf|access|auth|bearer|hub|api)_)?token$)|(^watermark_key)", re.I)
REDACTED = "<redacted>"

# a secret option on a command line kept as text (0.5.23's server_info has launch_command)
SECRET_OPTION_RE = re.compile(r"(--(?:admin-)?api-key|--ssl-keyfile-password|--hf-token)([= ]+)"
                              r"(?!<redacted>)(\S+)")

# shorter values under secret names are redacted there only: replacing "k" everywhere would
# wreck the record (real keys are far longer)
MIN_SECRET_LENGTH = 8


def redact(value):
    """A copy of a JSON value with every secret removed: the values of secret-named keys, those
    same values wherever else they appear (in a launch command, a URL, an error), and the value
    after a secret option on any command line kept as text."""
    secrets = sorted((v for v in _secret_values(value) if len(v) >= MIN_SECRET_LENGTH), key=len,
                     reverse=True)
    return _redact(value, secrets)


def mask(value, secrets):
    """A copy of a JSON value (a journal's lines) with each of the given secrets, and the value
    after a secret option on a command line, replaced."""
    return _redact(value, sorted((str(v) for v in secrets if v), key=len, reverse=True))


def _is_secret(key, item):
    return bool(SECRET_KEY_PATTERN.search(str(key))) and isinstance(item, str) and bool(item)


def _secret_values(value):
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_secret(key, item):
                found.add(item)
            else:
                found |= _secret_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= _secret_values(item)
    return found


def _redact(value, secrets):
    if isinstance(value, dict):
        return {key: REDACTED if _is_secret(key, item) else _redact(item, secrets)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item, secrets) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return SECRET_OPTION_RE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, value)
    return value
