"""The deployed-plan record: one step of history, and a rerun that writes the same record."""

import json

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import deployed_plan
from ansible_collections.llmops.sglang.plugins.module_utils.deployed_plan import with_previous

A = {"instance": "main", "sglang_version": "0.5.23", "plan": {"tp_size": 8, "context_length": 5037056}}
B = {"instance": "main", "sglang_version": "0.5.23", "plan": {"tp_size": 8, "context_length": 131072}}
C = {"instance": "main", "sglang_version": "0.5.17", "plan": {"tp_size": 8, "context_length": 131072}}

CASES = [
    # (what the file holds, this run's record, what is written)
    ("first deploy", None, A, dict(A, previous=None)),
    ("first deploy, empty file", {}, A, dict(A, previous=None)),
    ("rerun of the first deploy", dict(A, previous=None), A, dict(A, previous=None)),
    ("plan changed: the old one is previous", dict(A, previous=None), B, dict(B, previous=A)),
    ("rerun after the change keeps previous", dict(B, previous=A), B, dict(B, previous=A)),
    ("changed again: one step of history", dict(B, previous=A), C, dict(C, previous=B)),
    ("back to an earlier plan", dict(C, previous=B), B, dict(B, previous=C)),
]


@pytest.mark.parametrize("recorded,record,written", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_record_with_previous(recorded, record, written):
    assert with_previous(record, recorded) == written


def test_inputs_are_not_changed():
    recorded = dict(A, previous=None)
    with_previous(B, recorded)
    assert recorded == dict(A, previous=None)


RECORD = {"instance": "main", "argv": ["--model-path", "x"], "command": "python -m sglang...",
          "plan": {"port": 30000}, "ranks": ["gpu-1"]}


def test_parse_reads_a_record():
    assert deployed_plan.parse(json.dumps(RECORD)) == RECORD


@pytest.mark.parametrize("text", [
    "",                                          # empty: a write cut short
    json.dumps(RECORD)[:40],                     # cut short in the middle
    "[]", "null", "42",                          # JSON, not a record
    json.dumps({k: v for k, v in RECORD.items() if k != "ranks"}),  # a key the readers need
    json.dumps(dict(RECORD, plan="edited")),     # edited by hand
    json.dumps(dict(RECORD, argv="--model-path x")),
])
def test_parse_says_none_for_what_is_not_a_record(text):
    assert deployed_plan.parse(text) is None
