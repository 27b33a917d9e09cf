"""The deployed-plan record: one step of history, and a rerun that writes the same record."""

import pytest

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
