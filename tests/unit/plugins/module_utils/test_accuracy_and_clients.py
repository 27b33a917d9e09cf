"""lm-eval's results -> the score (on a results file lm-eval 0.4.13 wrote), and what a client
process gets: the API key in its environment only, its last output lines without the key."""

import json
import os

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import accuracy, client_run
from ansible_collections.llmops.sglang.plugins.module_utils.bench_prompts import sharegpt_conversations
from helpers import ROOT

LM_EVAL = os.path.join(ROOT, "tests", "fixtures", "lm-eval", "results-mmlu_pro_local-double.json")


def lm_eval_results():
    with open(LM_EVAL) as handle:
        return json.load(handle)


@pytest.mark.parametrize("task,score,samples", [
    ("mmlu_pro_local", 0.75, 28),            # the group: 21 of 28 answers are (B)
    ("mmlu_pro_local_biology", 0.5, 2),
    ("mmlu_pro_local_business", 1.0, 2),
])
def test_score_from_lm_eval_results(task, score, samples):
    got = accuracy.score_from_results(lm_eval_results(), task)
    assert got["metric"] == "exact_match,custom-extract"
    assert got["score"] == pytest.approx(score)
    assert got["samples"] == samples


def test_unknown_task_names_what_is_there():
    with pytest.raises(accuracy.AccuracyError, match="no task 'mmlu_pro' .*mmlu_pro_local"):
        accuracy.score_from_results(lm_eval_results(), "mmlu_pro")


def test_client_environment_carries_the_key_and_drops_ansibles_pythonpath():
    env = client_run.client_environment({"PATH": "/bin", "PYTHONPATH": "/ansible", "API_KEY": "old"},
                                        {"HF_HUB_OFFLINE": 1}, "s3cret")
    assert env["OPENAI_API_KEY"] == "s3cret" and env["HF_HUB_OFFLINE"] == "1"
    assert "PYTHONPATH" not in env and "API_KEY" not in env
    assert "OPENAI_API_KEY" not in client_run.client_environment({"OPENAI_API_KEY": "x"}, {}, "")


@pytest.mark.parametrize("text,count,expected", [
    ("a\nb\nc\n", 2, ["b", "c"]),
    # tqdm redraws a line with carriage returns: only its last state counts
    ("start\n 10%|#  | 1/10\r 50%|#####| 5/10\r100%|##########| 10/10\n", 5,
     ["start", "100%|##########| 10/10"]),
    ("\n\n  \nx\n", 0, ["x"]),
    ("Bearer s3cret refused\n", 5, ["Bearer <redacted> refused"]),
])
def test_tail_lines(text, count, expected):
    assert client_run.tail_lines(text, count, secret="s3cret") == expected


def test_prompt_file_is_deterministic_sharegpt():
    first = sharegpt_conversations(3)
    assert first == sharegpt_conversations(3)
    assert [t["from"] for t in first[0]["conversations"]] == ["human", "gpt"]
    assert sharegpt_conversations(3, seed=1) != first
