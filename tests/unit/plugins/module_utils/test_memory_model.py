"""SGLang's memory rules (sglang_memory) and the choice of context, slots, ratio and fraction
(kv_planner) as tables. Each row names the SGLang function it follows (0.5.17 / 0.5.23 paths in
sglang_memory's docstrings); the real-GPU numbers are checked in tests/unit/test_calibration.py."""

import pytest

from helpers import MAVERICK, MAVERICK_FP8, SCOUT, TINY_CONFIG, facts
from ansible_collections.llmops.sglang.plugins.module_utils import hardware
from ansible_collections.llmops.sglang.plugins.module_utils import kv_planner as kp
from ansible_collections.llmops.sglang.plugins.module_utils import model_profiles as mp
from ansible_collections.llmops.sglang.plugins.module_utils import sglang_memory as sm
from ansible_collections.llmops.sglang.plugins.module_utils.planner import memory_basis, plan_launch

H100_4 = dict(facts("derived-h100-x8"), count=4)
H200_2 = dict(facts("h200-141gb-x4"), count=2)
FAMILIES = {"8xH100": facts("derived-h100-x8"), "8xH200": facts("derived-h200-x8"),
            "8xB200": facts("derived-b200-x8"), "8xMI300X": facts("derived-mi300x-x8"),
            "4xH100": H100_4, "2xH200": H200_2}
GIB = 2 ** 30


# --- server_args._handle_gpu_memory_settings / memory_hook.handle_gpu_memory_settings
@pytest.mark.parametrize("gpu_mib,tp,vendor,mm,reserve,fraction", [
    # 512 + 1.5 x 8192 + tp/8 x 1024 + 2 x decode bs + 8 x 58 prefill graph sizes
    (81559, 1, "nvidia", False, 13904, 0.830),
    (81559, 4, "nvidia", False, 14800, 0.819),
    (81559, 8, "nvidia", False, 15312, 0.812),
    (143771, 2, "nvidia", False, 14032, 0.902),
    (143771, 8, "nvidia", False, 15312, 0.893),
    # chunk 16384, 74 prefill sizes (cuda_graph_hook: _generate_prefill_cuda_graph_batch_sizes)
    (183359, 8, "nvidia", False, 27728, 0.849),
    # ROCm: no prefill CUDA graph (cuda_graph_config.default_prefill_backend)
    (196592, 8, "amd", False, 27136, 0.862),
    # --enable-multimodal: prefill graph off, then adjust_mem_fraction_for_vlm x 0.7906
    (81559, 8, "nvidia", True, 14848, round(0.818 * 0.7906, 3)),
])
def test_reserve_and_default_fraction(gpu_mib, tp, vendor, mm, reserve, fraction):
    profile = mp.lookup(SCOUT)
    got = sm.reserve_mib(gpu_mib, tp, vendor, mm)
    assert got == reserve
    assert round(sm.default_fraction(gpu_mib, got, profile, mm), 3) == pytest.approx(fraction, abs=0.001)


def test_prefill_graph_sizes_match_sglang():
    """_generate_prefill_cuda_graph_batch_sizes: 58 sizes up to 8192, 74 up to 16384."""
    assert sm.prefill_graph_sizes(8192) == 58
    assert sm.prefill_graph_sizes(16384) == 74


def test_vision_factor_for_llama4_tower():
    assert sm.vision_fraction_factor(mp.lookup(SCOUT)) == pytest.approx(0.7906, abs=0.0001)


def test_aiter_scales_long_contexts_only():
    """attention_hook: x 0.85 for aiter and a context over 8192, a given fraction too."""
    assert sm.aiter_scale("aiter", 8193) == 0.85
    assert sm.aiter_scale("aiter", 8192) == 1.0
    assert sm.aiter_scale("fa3", 10 ** 6) == 1.0


# --- model_runner.load_model ("Load weight end ... mem usage"), per GPU
@pytest.mark.parametrize("model,tp,quant,mm,gib", [
    # parameters / tp + rotary cache (fp32, max positions x 128); no vision tower without images
    (SCOUT, 2, "bf16", False, 105.37),      # measured 105.48 on 2 x H200 (results/)
    (SCOUT, 2, "fp8", False, 58.61),        # measured 58.59 on 2 x H200 (allocator keeps 2.45 GiB)
    (SCOUT, 4, "bf16", False, 55.18),       # measured 55.27 on 4 x H100 (issue 9)
    (SCOUT, 8, "bf16", False, 30.09),
    (SCOUT, 8, "bf16", True, 30.29),        # + the vision tower, sharded
    (MAVERICK, 8, "bf16", False, 93.80),
    (MAVERICK_FP8, 8, "fp8", False, 48.80),
])
def test_load_bytes(model, tp, quant, mm, gib):
    load = sm.load_bytes(mp.lookup(model), tp, quant, mm, None)
    assert load["total"] / GIB == pytest.approx(gib, abs=0.01)


def test_rotary_cache_sized_by_max_positions():
    """get_rope(max_position=config.max_position_embeddings): 5 GiB for Scout's 10,485,760."""
    assert sm.rotary_cache_bytes(mp.lookup(SCOUT)) == 5 * GIB
    assert sm.rotary_cache_bytes(mp.lookup(MAVERICK)) == GIB // 2


# --- pool_configurator: HybridSWAPoolConfigurator and the default pool
def test_hybrid_pool_split_like_sglang():
    layout = sm.kv_layout(mp.lookup(SCOUT), 2, True, None)
    assert (layout["full_layers"], layout["swa_layers"], layout["per_layer"]) == (12, 36, 2048)
    full, swa = sm.pool_tokens(20 * GIB, layout, 0.8)
    assert full == int(20 * GIB // (12 * 2048 + 0.8 * 36 * 2048)) and swa == int(full * 0.8)
    plain = sm.kv_layout(mp.lookup(SCOUT), 2, False, None)
    assert sm.pool_tokens(20 * GIB, plain, 0.8) == (20 * GIB // (48 * 2048), 0)


# --- scheduler resolve_max_num_reqs and ReqToTokenPool
@pytest.mark.parametrize("pool,context,slots", [
    (217836, 301056, 2048), (34_321_360, 131072, 4096), (3000, 131072, 1500)])
def test_default_running_requests(pool, context, slots):
    assert sm.default_running_requests(pool, context) == slots


def test_request_table_is_int32_rows_of_context_plus_4():
    assert sm.request_table_bytes(16, 423936) == 17 * 423940 * 4
    assert sm.request_table_bytes(48, 1000, draft_tokens=4) == 49 * 1008 * 4


# --- kv_planner: the choice, on every family and model
@pytest.mark.parametrize("family,model,options,expect", [
    # the cookbook's long contexts with the hybrid pool: >= 5M on 8 x H100, 10M on 8 x H200
    ("8xH100", SCOUT, {}, {"context_min": 5_000_000}),
    ("8xH200", SCOUT, {}, {"context": 10_485_760}),
    ("8xB200", SCOUT, {}, {"context": 10_485_760}),
    ("8xMI300X", SCOUT, {}, {"context": 10_485_760}),
    ("4xH100", SCOUT, {}, {"context_min": 200_000}),
    ("2xH200", SCOUT, {}, {"context_min": 400_000}),
    ("2xH200", SCOUT, {"quantization": "fp8"}, {"context_min": 2_000_000}),
    # without the hybrid pool every layer grows with context: the cookbook's 1M / 2.5M fit
    ("8xH100", SCOUT, {"hybrid_kv": False}, {"context_min": 1_048_576}),
    ("8xH200", SCOUT, {"hybrid_kv": False}, {"context_min": 2_500_000}),
    # Maverick BF16 text on 8 x H200 at its own 1M positions (the cookbook: no cap needed)
    ("8xH200", MAVERICK, {}, {"context": 1_048_576}),
    ("8xH100", MAVERICK_FP8, {}, {"context": 1_048_576}),
    # EAGLE3: SGLang's 48 slots, the cookbook's 0.75
    ("8xH200", MAVERICK, {"speculative": "eagle3", "multimodal": True},
     {"slots": 48, "fraction": 0.75}),
    ("8xH100", SCOUT, {"multimodal": True}, {"context_min": 1_000_000}),
])
def test_auto_plans(family, model, options, expect):
    plan = plan_launch(dict(options, gpus=FAMILIES[family], model=model), host="h")["plan"]
    assert plan["context_length"] <= plan["kv_pool_tokens"] * (1 - kp.POOL_MARGIN)
    assert plan["left_after_table_gib_per_gpu"] >= plan["sglang_reserve_gib_per_gpu"] - 0.01
    if "context" in expect:
        assert plan["context_length"] == expect["context"]
    if "context_min" in expect:
        assert plan["context_length"] >= expect["context_min"]
    if "slots" in expect:
        assert plan["max_running_requests"] == expect["slots"]
    if "fraction" in expect:
        assert plan["mem_fraction_static"] == expect["fraction"]
    if plan["hybrid_kv"] and options.get("speculative") != "eagle3":
        # every running request's 8,192-token local window fits the SWA pool
        assert plan["swa_pool_tokens"] >= plan["max_running_requests"] * 8192
        assert plan["max_running_requests"] >= kp.MIN_AUTO_RUNNING_REQUESTS


def test_request_table_is_carved_out_of_the_pool():
    """The fraction leaves SGLang's own reserve plus the table; the old plan put a 4.28M context
    with 4096 slots (a 65 GiB table) inside the KV budget and ran out of memory at start."""
    b = memory_basis(mp.lookup(SCOUT), facts("derived-h100-x8"), 8, "bf16", True,
                     {"speculative": "none", "multimodal": False, "sglang_version": "0.5.23",
                      "mem_fraction_static": "auto"}, "fa3")
    small = kp.evaluate(b, 1_048_576, 16, 0.8)
    large = kp.evaluate(b, 1_048_576, 2048, 0.8)
    assert large["fraction"] < small["fraction"]
    assert large["left_after_table"] >= large["reserve"] - 2 ** 20
    assert small["left_after_table"] >= small["reserve"] - 2 ** 20


def test_given_fraction_that_leaves_too_little_is_refused():
    from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError
    with pytest.raises(PlanError, match=r"leaves .* GiB for CUDA graphs and activations where "
                                        r"SGLang reserves"):
        plan_launch({"gpus": facts("derived-h200-x8"), "model": SCOUT, "context_length": 1_048_576,
                     "mem_fraction_static": 0.95}, host="h")


def test_preload_overhead_grows_with_tp():
    values = [hardware.preload_overhead_mib(tp) for tp in (1, 2, 4, 8)]
    assert values == sorted(values) and values[0] == 1300


@pytest.mark.parametrize("fixture,model,options", [
    # fewer than 16 local windows fit: planned at SGLang's own ratio, not refused
    ("derived-h100-x8", MAVERICK_FP8, {"multimodal": True}),
    ("h200-141gb-x4", MAVERICK_FP8, {"speculative": "eagle3"}),
])
def test_tight_fits_are_planned_not_refused(fixture, model, options):
    plan = plan_launch(dict(options, gpus=facts(fixture), model=model), host="h")["plan"]
    assert plan["context_length"] >= kp.MIN_CONTEXT
    assert plan["context_length"] <= plan["max_context_length"]


def test_auto_context_given_back_is_accepted():
    auto = plan_launch({"gpus": facts("h200-141gb-x4"), "model": SCOUT,
                        "swa_full_tokens_ratio": 0.01}, host="h")["plan"]
    again = plan_launch({"gpus": facts("h200-141gb-x4"), "model": SCOUT,
                         "swa_full_tokens_ratio": 0.01,
                         "context_length": auto["context_length"]}, host="h")["plan"]
    assert again["context_length"] == auto["context_length"]


@pytest.mark.parametrize("override", [
    {"max_position_embeddings": 0}, {"max_position_embeddings": float("nan")},
    {"head_dim": 0}, {"num_attention_heads": 0}, {"num_hidden_layers": "many"}])
def test_bad_config_json_values_are_clear_errors(override):
    from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError
    with pytest.raises(PlanError, match=r"config.json .* is not a whole number from 1 to"):
        plan_launch({"gpus": facts("h100-80gb-hbm3-x1"), "model": "/x/m",
                     "model_config": dict(TINY_CONFIG, **override)}, host="h")


def test_hybrid_architecture_without_local_layers_gets_one_pool():
    config = dict(TINY_CONFIG, architectures=["Llama4ForConditionalGeneration"],
                  num_hidden_layers=3)
    argv = plan_launch({"gpus": facts("h100-80gb-hbm3-x1"), "model": "/x/m",
                        "model_config": config}, host="h")["argv"]
    assert "--swa-full-tokens-ratio" not in argv
