# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan a host runs, as the service role records it next to SGLang's config
(/etc/sglang/<instance>.plan.json), with the plan it replaced."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

PREVIOUS = "previous"
# what a record must hold for the roles that read it back (sglang_launch and sglang_ranks)
READ_BACK = ("argv", "command", "plan", "ranks")


def parse(text):
    """The record in a file's text, or None when the text is not a record (empty, cut short by
    a full disk, edited by hand): the reader says "not deployed" rather than failing on it."""
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or any(key not in record for key in READ_BACK):
        return None
    if not isinstance(record["plan"], dict) or not isinstance(record["argv"], list):
        return None
    return record


def with_previous(record, recorded):
    """The record to write: `record` plus the plan before it. `recorded` is what the file holds
    (None or {} when there is none). An unchanged record keeps the previous plan it had, so a
    rerun writes the same bytes; a changed one keeps what ran until now (without its own
    previous: one step of history, no chain)."""
    recorded = dict(recorded or {})
    before = recorded.pop(PREVIOUS, None)
    out = dict(record)
    if recorded == record:
        out[PREVIOUS] = before
    else:
        out[PREVIOUS] = recorded or None
    return out
