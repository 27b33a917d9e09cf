"""Several SGLang servers on one host (replicas_per_host, tp_size): each gets its own GPUs and
port, its memory is planned for the GPUs it gets, and layouts that cannot exist are refused with
the numbers."""

import pytest

from helpers import SCOUT, facts
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError, plan_launch


def plan(gpus, **args):
    return plan_launch(dict({"gpus": facts(gpus), "model": SCOUT}, **args))


def test_one_server_keeps_the_plan_it_always_had():
    result = plan("derived-h200-x8", quantization="fp8")
    assert result["plan"]["replicas_per_host"] == 1
    assert result["plan"]["replicas"] == [{"index": 0, "port": 30000, "local_url": "http://127.0.0.1:30000",
                                           "base_gpu_id": 0, "gpu_ids": list(range(8)), "argv": []}]
    assert "--base-gpu-id" not in result["argv"]


def test_scout_fp8_as_two_tp4_servers_next_to_one_tp8_on_8xh200():
    one = plan("derived-h200-x8", quantization="fp8")["plan"]
    two = plan("derived-h200-x8", quantization="fp8", replicas_per_host=2)["plan"]
    assert (one["tp_size"], two["tp_size"]) == (8, 4)
    assert [(r["port"], r["gpu_ids"], r["argv"]) for r in two["replicas"]] == [
        (30000, [0, 1, 2, 3], ["--port", "30000", "--base-gpu-id", "0"]),
        (30001, [4, 5, 6, 7], ["--port", "30001", "--base-gpu-id", "4"])]
    # a tp 4 server holds twice the parameters per GPU of the tp 8 one (the 5 GiB rotary cache is
    # on every GPU either way), so a smaller pool
    assert two["weights_gib_per_gpu"] - 5 == pytest.approx(2 * (one["weights_gib_per_gpu"] - 5), abs=0.2)
    assert two["kv_pool_tokens"] < one["kv_pool_tokens"]
    # the host loads the weights twice, and downloads them once
    assert two["weights_gib_on_host"] == pytest.approx(2 * 4 * two["weights_gib_per_gpu"], abs=0.05)
    assert two["download_gib"] == pytest.approx(4 * two["weights_gib_per_gpu"], abs=0.05)
    assert "2 replica(s) of tp 4 on 8 GPU(s)" in two["reasons"]


def test_a_given_tp_size_with_the_servers_that_fit():
    result = plan("h200-141gb-x4", quantization="fp8", tp_size=1, replicas_per_host=3)["plan"]
    assert result["tp_size"] == 1
    assert [r["base_gpu_id"] for r in result["replicas"]] == [0, 1, 2]
    assert "3 replica(s) of tp 1 on 4 GPU(s), 1 GPU(s) idle" in result["reasons"]


@pytest.mark.parametrize("args,message", [
    ({"replicas_per_host": 5}, "replicas_per_host=5 but the host has 4 GPU(s); at most 4"),
    ({"tp_size": 3}, "tp_size=3 is not a tensor-parallel size"),
    ({"tp_size": 8}, "tp_size=8 needs 8 GPUs per replica; 1 replica(s) on 4 GPU(s) leave 4 each"),
    ({"tp_size": 4, "replicas_per_host": 2}, "use fewer replicas_per_host"),
    ({"replicas_per_host": 2, "nnodes": 2, "dist_init_addr": "10.0.0.1:5757"},
     "a multi-node replica takes every GPU"),
    ({"replicas_per_host": 2, "port": 65535}, "needs ports up to 65536, past 65535"),
    ({"replicas_per_host": 0}, "replicas_per_host"),
    ({"tp_size": "eight"}, "'auto' or a tensor-parallel size"),
    ({"replicas_per_host": 2, "extra_args": ["--base-gpu-id", "2"]},
     "every server of the host would get the same base_gpu_id"),
    ({"replicas_per_host": 2, "extra_args": ["--gpu-id-step", "2"]}, "the same gpu_id_step"),
    ({"replicas_per_host": 2, "extra_args": ["--nccl-port", "40000"]}, "the same nccl_port"),
])
def test_layouts_that_cannot_exist_are_refused(args, message):
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)").replace("'", "'")):
        plan("h200-141gb-x4", **args)


def test_base_gpu_id_stays_open_to_extra_args_with_one_server():
    result = plan("h200-141gb-x4", tp_size=2, extra_args=["--base-gpu-id", "2", "--nccl-port", "40000"])
    assert result["argv"][-4:] == ["--base-gpu-id", "2", "--nccl-port", "40000"]


def test_a_server_that_does_not_fit_is_refused_for_its_own_gpus_with_fewer_servers_as_a_way_out():
    with pytest.raises(PlanError) as err:
        plan("derived-h100-x8", replicas_per_host=3)
    text = str(err.value)
    assert "does not fit on 2 x H100 (81559 MiB), one of 3 servers on the host" in text
    assert text.endswith("Ways out: quantization=fp8 (online FP8), 2 x H200 per server, "
                         "replicas_per_host=2 (tp 4 each)")


def test_maverick_bf16_on_two_8xh100_hosts_is_refused_with_why_pipeline_parallel_cannot_help():
    """tp stops at 8 (40 heads); SGLang runs Llama 4 without pipeline parallel (its own source,
    tests/e2e/pp/RESEARCH.md), so 16 GPUs over two hosts cannot serve one Maverick."""
    with pytest.raises(PlanError) as err:
        plan_launch({"gpus": facts("derived-h100-x8"),
                     "model": "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
                     "nnodes": 2, "node_rank": 0, "dist_init_addr": "10.0.0.1:5757"})
    assert "nnodes=2 x 8 GPUs = 16, which is not a tensor-parallel size" in str(err.value)
    assert "'Pipeline Parallel is not compatible with this model.'" in str(err.value)
