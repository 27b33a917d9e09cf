"""Benchmark profiles (data) -> bench_serving commands, and the errors bad profiles get."""

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import bench_profiles as bp

LATENCY = {"name": "latency", "num_prompts": 10, "max_concurrency": 1, "input_len": 1000,
           "output_len": 1000}
THROUGHPUT = {"name": "throughput", "num_prompts": 1000, "max_concurrency": 100,
              "input_len": 1000, "output_len": 1000}


def argv(profile, dataset_path="/w/prompts.json"):
    [p] = bp.validate_profiles([profile])
    return bp.bench_serving_argv(p, "/v/bin/python", "http://127.0.0.1:30000", "/srv/m", "m",
                                 "/srv/m", dataset_path, "/w/%s.jsonl" % p["name"])


def pairs(args):
    return {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i].startswith("--")
            and not args[i + 1].startswith("--")}


@pytest.mark.parametrize("profile,expected", [
    # the two profiles of SGLang's Llama 4 page, range ratio 1 and a warm-up
    (LATENCY, {"--num-prompts": "10", "--max-concurrency": "1", "--random-input-len": "1000",
               "--random-output-len": "1000", "--random-range-ratio": "1.0",
               "--warmup-requests": "1", "--dataset-name": "random", "--backend": "sglang",
               "--dataset-path": "/w/prompts.json", "--output-file": "/w/latency.jsonl"}),
    (THROUGHPUT, {"--num-prompts": "1000", "--max-concurrency": "100", "--request-rate": "inf"}),
    (dict(LATENCY, range_ratio=0.5, warmup_requests=3, seed=7),
     {"--random-range-ratio": "0.5", "--warmup-requests": "3", "--seed": "7"}),
])
def test_argv(profile, expected):
    got = pairs(argv(profile))
    assert {k: got.get(k) for k in expected} == expected


def test_chat_template_and_extra_args():
    args = argv(dict(LATENCY, apply_chat_template=True, extra_args=["--disable-stream"]))
    assert "--apply-chat-template" in args and args[-1] == "--disable-stream"


def test_random_ids_needs_no_prompt_file():
    args = argv(dict(LATENCY, dataset="random-ids"))
    assert "--dataset-path" not in args and pairs(args)["--dataset-name"] == "random-ids"


def test_selection_keeps_the_order_and_names_unknown_profiles():
    assert [p["name"] for p in bp.validate_profiles([LATENCY, THROUGHPUT], "throughput")] == [
        "throughput"]
    with pytest.raises(bp.ProfileError, match=r"names nope, not among the profiles \(latency, throughput\)"):
        bp.validate_profiles([LATENCY, THROUGHPUT], ["nope"], host="gpu-1")


@pytest.mark.parametrize("profiles,message", [
    ([], "sglang_bench_profiles must be a non-empty list"),
    ("latency", "sglang_bench_profiles must be a non-empty list"),
    ([dict(LATENCY, name="Bad Name")], "name='Bad Name' must be 1-63 characters"),
    ([LATENCY, LATENCY], "the name is used twice"),
    ([dict(LATENCY, num_prompts=0)], "num_prompts=0 must be a whole number >= 1"),
    ([dict(LATENCY, num_prompts="10")], "num_prompts='10' must be a whole number >= 1"),
    ([{"name": "x", "num_prompts": 1, "max_concurrency": 1, "input_len": 1}], "output_len is missing"),
    ([dict(LATENCY, range_ratio=0)], "range_ratio=0 must be a number in (0, 1]"),
    ([dict(LATENCY, request_rate=-1)], "request_rate=-1 must be 'inf'"),
    ([dict(LATENCY, dataset="mmlu")], "dataset='mmlu' is not one of random, random-ids, sharegpt"),
    ([dict(LATENCY, apply_chat_template="yes")], "apply_chat_template='yes' must be true or false"),
    ([dict(LATENCY, extra_args="--x")], "extra_args must be a list of strings, got a str"),
    ([dict(LATENCY, max_concurrency=20)], "max_concurrency=20 exceeds num_prompts=10"),
    ([dict(LATENCY, concurrency=1)], "unknown key(s) concurrency"),
])
def test_bad_profiles(profiles, message):
    with pytest.raises(bp.ProfileError) as err:
        bp.validate_profiles(profiles, host="gpu-1")
    assert message in str(err.value)
    assert str(err.value).startswith("gpu-1: ")
