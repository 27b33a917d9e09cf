"""The launch planner as tables: facts + options in, decisions and flags out; refusals and bad
input as clear errors. Every argv made here is also run through SGLang's own parser
(tests/unit/test_sglang_parser.py imports PLAN_CASES)."""

import copy

import pytest

from helpers import MAVERICK, MAVERICK_FP8, SCOUT, TINY, TINY_ARGS, TINY_CONFIG, facts
from ansible_collections.llmops.sglang.plugins.module_utils import planner
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError, plan_launch

H100_1 = "h100-80gb-hbm3-x1"
H200_4 = "h200-141gb-x4"
H100_8 = "derived-h100-x8"
H200_8 = "derived-h200-x8"
B200_8 = "derived-b200-x8"
MI300_8 = "derived-mi300x-x8"

# id, fixture, model, options, expected plan fields
PLAN_CASES = [
    ("scout-8xh100", H100_8, SCOUT, {},
     {"tp_size": 8, "attention_backend": "fa3", "quantization": "bf16", "hybrid_kv": True,
      "mem_fraction_static": 0.801}),
    ("scout-8xh100-nohybrid", H100_8, SCOUT, {"hybrid_kv": False},
     {"tp_size": 8, "hybrid_kv": False, "kv_bytes_per_token": 196608}),
    ("scout-8xh100-tools-images", H100_8, SCOUT, {"multimodal": True, "tool_calling": True},
     {"tp_size": 8, "multimodal": True}),
    ("scout-8xh100-eagle3", H100_8, SCOUT, {"speculative": "eagle3"},
     {"speculative": "eagle3", "mem_fraction_static": 0.75,
      "eagle3_draft": "lmsys/sglang-EAGLE3-Llama-4-Scout-17B-16E-Instruct-v1"}),
    ("scout-8xh100-fp8", H100_8, SCOUT, {"quantization": "fp8"}, {"quantization": "fp8"}),
    ("scout-8xh100-1m", H100_8, SCOUT, {"context_length": 1048576}, {"context_length": 1048576}),
    ("scout-4xh200", H200_4, SCOUT, {"multimodal": True, "tool_calling": True},
     {"tp_size": 4, "attention_backend": "fa3"}),
    ("scout-8xh200-ratio", H200_8, SCOUT, {"swa_full_tokens_ratio": 0.15},
     {"swa_full_tokens_ratio": 0.15}),
    ("maverick-8xh200", H200_8, MAVERICK, {}, {"tp_size": 8, "context_length": 1048576}),
    ("maverick-8xh200-eagle3-images", H200_8, MAVERICK, {"speculative": "eagle3", "multimodal": True},
     {"eagle3_draft": "nvidia/Llama-4-Maverick-17B-128E-Eagle3"}),
    ("maverick-8xh100-online-fp8", H100_8, MAVERICK, {"quantization": "fp8"},
     {"quantization": "fp8", "tp_size": 8}),
    ("maverick-fp8-8xh100", H100_8, MAVERICK_FP8, {"tool_calling": True},
     {"quantization": "fp8", "tp_size": 8}),
    ("maverick-fp8-8xb200", B200_8, MAVERICK_FP8, {},
     {"attention_backend": "trtllm_mha", "quantization": "fp8", "context_length": 1048576}),
    ("scout-8xmi300x", MI300_8, SCOUT, {"multimodal": True}, {"attention_backend": "aiter"}),
    ("tiny-1xh100", H100_1, TINY,
     {"attention_backend": "triton", "mem_fraction_static": 0.5, "model_config": TINY_CONFIG},
     {"tp_size": 1, "hybrid_kv": False, "kv_bytes_per_token": 2048, "context_length": 131072,
      "attention_backend": "triton"}),
    ("scout-2nodes-4xh200", H200_4, SCOUT,
     {"nnodes": 2, "node_rank": 1, "dist_init_addr": "10.0.0.1:5000"}, {"tp_size": 8}),
    ("scout-8xh100-extra-port", H100_8, SCOUT,
     {"port": 8080, "host": "0.0.0.0", "served_model_name": "scout", "extra_args": ["--enable-cache-report"]},
     {"port": 8080}),
]


@pytest.mark.parametrize("case", PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_plan_table(case):
    fixture, model, options, expected = case[1:]
    result = plan_launch(dict(options, gpus=facts(fixture), model=model), host="h")
    plan = result["plan"]
    for key, value in expected.items():
        assert plan[key] == value, key
    argv = result["argv"]
    # always present, and stated in the plan
    for flag in ("--model-path", "--tp-size", "--attention-backend", "--context-length",
                 "--mem-fraction-static", "--chat-template"):
        assert flag in argv
    assert argv[argv.index("--chat-template") + 1] == "llama-4"
    assert int(argv[argv.index("--context-length") + 1]) == plan["context_length"]
    assert plan["context_length"] <= plan["max_context_length"] <= plan["kv_pool_tokens"] or (
        plan["context_length"] <= plan["max_context_length"])
    assert plan["context_length"] <= plan["kv_pool_tokens"]
    assert ("--enable-multimodal" in argv) == bool(options.get("multimodal"))
    assert ("--tool-call-parser" in argv) == bool(options.get("tool_calling"))
    assert ("--speculative-algorithm" in argv) == (options.get("speculative") == "eagle3")
    assert result["command"].startswith("python3 -m sglang.launch_server --model-path ")
    assert plan["reasons"] and all(isinstance(r, str) for r in plan["reasons"])


def test_memory_arithmetic_matches_reference_numbers():
    """REFERENCE.md §3: 192 KiB/token BF16 for Scout (24 KiB per GPU at tp 8). The fraction stays at
    or under SGLang's own default (0.812 on H100, 0.893 on H200 at tp 8) by the request table; the
    load is the sharded parameters plus the 5 GiB rotary cache on every GPU."""
    plain = plan_launch({"gpus": facts(H100_8), "model": SCOUT, "hybrid_kv": False})["plan"]
    assert plain["kv_bytes_per_token"] == 192 * 1024
    assert plain["kv_bytes_per_token_per_gpu"] == 24 * 1024
    assert 1_250_000 < plain["kv_pool_tokens"] < 1_400_000
    assert 0.77 < plain["mem_fraction_static"] <= 0.812
    h200 = plan_launch({"gpus": facts(H200_8), "model": SCOUT})["plan"]
    assert 0.83 < h200["mem_fraction_static"] <= 0.893
    assert plain["weights_gib_per_gpu"] == pytest.approx(215.53e9 / 8 / 2 ** 30 + 5, rel=0.01)


def test_context_auto_never_above_pool_or_positions():
    maverick = plan_launch({"gpus": facts(H200_8), "model": MAVERICK})["plan"]
    assert maverick["context_length"] == 1_048_576 < maverick["kv_pool_tokens"]
    assert any("max positions" in r for r in maverick["reasons"])
    scout = plan_launch({"gpus": facts(H100_8), "model": SCOUT})["plan"]
    assert scout["context_length"] < scout["kv_pool_tokens"] < 10_485_760
    assert scout["context_length"] % 1024 == 0


def test_smaller_swa_ratio_buys_context():
    wide = plan_launch({"gpus": facts(H100_8), "model": SCOUT, "swa_full_tokens_ratio": 0.8})
    narrow = plan_launch({"gpus": facts(H100_8), "model": SCOUT, "swa_full_tokens_ratio": 0.1})
    assert narrow["plan"]["context_length"] > 2 * wide["plan"]["context_length"]
    assert narrow["argv"][narrow["argv"].index("--swa-full-tokens-ratio") + 1] == "0.1"


def test_hybrid_off_passes_disable_flag():
    argv = plan_launch({"gpus": facts(H100_8), "model": SCOUT, "hybrid_kv": False})["argv"]
    assert "--disable-hybrid-swa-memory" in argv and "--swa-full-tokens-ratio" not in argv


def test_multimodal_lowers_fraction_for_vision_encoder():
    text = plan_launch({"gpus": facts(H100_8), "model": SCOUT})["plan"]
    images = plan_launch({"gpus": facts(H100_8), "model": SCOUT, "multimodal": True})["plan"]
    assert images["mem_fraction_static"] < text["mem_fraction_static"]
    assert images["kv_pool_tokens"] < text["kv_pool_tokens"]


def test_multinode_same_argv_but_rank():
    base = {"gpus": facts(H200_4), "model": SCOUT, "nnodes": 2, "dist_init_addr": "head:5000"}
    rank0 = plan_launch(dict(base, node_rank=0))["argv"]
    rank1 = plan_launch(dict(base, node_rank=1))["argv"]
    diff = [(a, b) for a, b in zip(rank0, rank1) if a != b]
    assert diff == [("0", "1")]
    assert rank0[rank0.index("--nnodes") + 1] == "2"


METRICS_CASES = [
    # (name, arguments, the metrics flags planned)
    ("default", {}, ["--enable-metrics"]),
    ("off", {"metrics": False}, []),
    ("off-from-inventory-text", {"metrics": "no"}, []),
    ("multi-node-every-rank", {"gpus": facts(H200_4), "nnodes": 2, "node_rank": 1,
                               "dist_init_addr": "head:5000"},
     ["--enable-metrics", "--enable-metrics-for-all-schedulers"]),
    ("multi-node-off", {"gpus": facts(H200_4), "nnodes": 2, "dist_init_addr": "head:5000",
                        "metrics": False}, []),
]


@pytest.mark.parametrize("name,extra,flags", METRICS_CASES, ids=[c[0] for c in METRICS_CASES])
def test_metrics_flags_are_planned(name, extra, flags):
    plan = plan_launch(dict({"gpus": facts(H100_8), "model": SCOUT}, **extra))
    assert [a for a in plan["argv"] if a.startswith("--enable-metrics")] == flags
    assert plan["plan"]["metrics"] is bool(flags)


# ---------------------------------------------------------------- refusals: with numbers and ways out

def test_maverick_bf16_on_8xh100_refused_with_ways_out():
    with pytest.raises(PlanError) as err:
        plan_launch({"gpus": facts(H100_8), "model": MAVERICK}, host="dc1-h100-x8")
    msg = str(err.value)
    assert msg.startswith("dc1-h100-x8: meta-llama/Llama-4-Maverick-17B-128E-Instruct does not fit")
    assert "SGLang loads 93.8 GiB per GPU at tp 8" in msg and "77.1 GiB are free" in msg
    assert "quantization=fp8" in msg and MAVERICK_FP8 in msg and "8 x H200" in msg


def test_scout_on_one_h100_refused_with_nodes_way_out():
    with pytest.raises(PlanError, match=r"205\.7 GiB per GPU.*nnodes=4"):
        plan_launch({"gpus": facts(H100_1), "model": SCOUT}, host="lab")


def test_given_context_above_pool_refused():
    with pytest.raises(PlanError) as err:
        plan_launch({"gpus": facts(H100_8), "model": SCOUT, "context_length": 9_000_000}, host="h")
    msg = str(err.value)
    assert msg.startswith("h: context_length=9000000 does not start on 8 x H100")
    assert "the request table (2048 slots x (context + 4) x 4 B = 68.7 GiB) leaves no room" in msg
    assert "context_length<=5037056 (with max_running_requests=16, swa_full_tokens_ratio=" in msg
    assert "8 x H200" in msg


def test_long_context_with_small_local_pool_and_few_requests():
    """The cookbook's 5M on 8 x H100: SGLang's default ratio cannot hold it, so the plan sets the
    slots and the smallest ratio whose SWA pool holds their 8,192-token windows."""
    result = plan_launch({"gpus": facts(H100_8), "model": SCOUT, "context_length": 5_000_000})
    plan, argv = result["plan"], result["argv"]
    assert plan["context_length"] == 5_000_000
    slots = int(argv[argv.index("--max-running-requests") + 1])
    ratio = float(argv[argv.index("--swa-full-tokens-ratio") + 1])
    assert slots >= 16 and ratio < 0.1
    assert plan["swa_pool_tokens"] >= slots * 8192


def test_fp8_refused_below_compute_capability_8_9():
    a100 = dict(facts(H100_8), name="NVIDIA A100-SXM4-80GB", family="A100", compute_capability="8.0")
    with pytest.raises(PlanError, match=r"quantization=fp8 needs compute capability >= 8\.9.*A100 has 8\.0"):
        plan_launch({"gpus": a100, "model": SCOUT, "quantization": "fp8"}, host="h")
    a100_plan = plan_launch({"gpus": a100, "model": SCOUT}, host="h")["plan"]
    assert a100_plan["attention_backend"] == "triton"


BAD_INPUTS = [
    ({"model": "meta-llama/Llama-3-70B"}, "model='meta-llama/Llama-3-70B' has no profile; known models"),
    ({"model": "not a model"}, "neither a hub id"),
    ({"model": "/no/such/folder"}, "local path that does not exist here"),
    ({"model": ""}, "must be a non-empty string"),
    ({"model": None}, "model is required (inventory variable sglang_model)"),
    ({"gpus": None}, "gpus is required (inventory variable sglang_gpus)"),
    ({"gpus": {"vendor": "nvidia", "count": 8}}, "gpus is missing name, family, memory_mib"),
    ({"quantization": "int4"}, "quantization='int4' is not allowed: use one of auto, bf16, fp8"),
    ({"context_length": -5}, "context_length=-5 is out of range: allowed 4096 to 100000000"),
    ({"context_length": 10 ** 12}, "is out of range"),
    ({"context_length": "lots"}, "is not 'auto' or a whole number of tokens"),
    ({"context_length": 12.5}, "context_length=12.5 is not"),
    ({"port": 70000}, "port=70000 is out of range: allowed 1 to 65535"),
    ({"port": 0}, "port=0 is out of range"),
    ({"port": "http"}, "port='http' is not a TCP port"),
    ({"host": "bad host!"}, "host='bad host!' is not an IP address or host name"),
    ({"multimodal": "maybe"}, "multimodal='maybe' is not a boolean"),
    ({"speculative": "medusa"}, "speculative='medusa' is not allowed: use one of none, eagle3"),
    ({"mem_fraction_static": 1.5}, "mem_fraction_static=1.5 is out of range"),
    ({"mem_fraction_static": 0}, "mem_fraction_static=0 is out of range"),
    ({"swa_full_tokens_ratio": 2}, "swa_full_tokens_ratio=2 is out of range"),
    ({"nnodes": 2}, "nnodes=2 needs dist_init_addr as HOST:PORT"),
    ({"nnodes": 2, "dist_init_addr": "head:99999"}, "has a port outside 1-65535"),
    ({"node_rank": 3}, "node_rank=3 must be below nnodes=1"),
    ({"extra_args": "--enable-cache-report"}, "extra_args must be a list of strings, e.g. "
                                              "['--enable-cache-report'], got a str"),
    # only exact option names of the pinned release: argparse would take a prefix or an alias
    ({"extra_args": ["--tp-size", "4"]}, "extra_args[0]='--tp-size' sets what the plan sets with "
                                         "--tp-size"),
    ({"extra_args": ["--tensor-parallel-size", "4"]}, "sets what the plan sets with --tp-size"),
    ({"extra_args": ["--tp", "4"]}, "extra_args[0]='--tp' is not an option of SGLang 0.5.23"),
    ({"extra_args": ["--model", "x"]}, "sets what the plan sets with --model-path"),
    ({"extra_args": ["--context-length=9"]}, "sets what the plan sets with --context-length"),
    ({"extra_args": ["--context-len=4096"]}, "(argparse would read it as --context-length; give "
                                             "the full name)"),
    ({"extra_args": ["--api-key", "sk-123"]}, "extra_args[0]='--api-key' carries a secret"),
    ({"extra_args": ["--api-ke=sk-123"]}, "extra_args[0]='--api-ke' is not an option"),
    ({"extra_args": ["--admin-api-key=sk-1"]}, "carries a secret"),
    ({"extra_args": ["--ssl-keyfile-password", "pw"]}, "carries a secret"),
    ({"extra_args": ["--config", "other.yaml"]}, "the service passes its own --config"),
    ({"extra_args": ["--no-such-flag"]}, "'--no-such-flag' is not an option of SGLang 0.5.23"),
    ({"extra_args": ["--enable-cache-report", "yes"]},
     "extra_args[1] (not shown: it may be a secret) is a value without an option"),
    ({"extra_args": ["--nnodes", "2"]}, "extra_args[0]='--nnodes' sets nnodes, which the plan "
                                        "decides"),
    ({"extra_args": ["--quantization", "fp8"]}, "sets quantization, which the plan decides"),
    ({"extra_args": ["--enable-metrics"]}, "extra_args[0]='--enable-metrics': the plan sets "
                                           "enable_metrics from sglang_metrics; set that instead"),
    ({"metrics": False, "extra_args": ["--enable-metrics-for-all-schedulers"]},
     "sets enable_metrics_for_all_schedulers from sglang_metrics"),
    ({"served_model_name": "--api-key"}, "served_model_name='--api-key' starts with '-'"),
    ({"served_model_name": "tiny,base_url=http://evil"}, "served_model_name='tiny,base_url=http://"
                                                         "evil': allowed are letters"),
    ({"nnodes": 2, "dist_init_addr": "--host:5000"}, "dist_init_addr='--host:5000' starts with"),
    ({"gpus": "8 x H100"}, "gpus must be the dict gpu_facts returns, got the string '8 x H100'"),
    ({"extra_args": ["--enable-cache-report=1"]}, "--enable-cache-report takes no value"),
    ({"extra_args": ["--log-level"]}, "extra_args[0]='--log-level' needs a value after it"),
    ({"extra_args": ["-v"]}, "extra_args[0]='-v' is not an option"),
    ({"sglang_version": "9.9.9"}, "sglang_version='9.9.9' is not a release whose launch flags this "
                                  "collection checks; supported: 0.5.17, 0.5.23"),
    ({"served_model_name": "scout\nExecStartPre=/bin/sh"}, "holds a control or format character"),
    ({"extra_args": ["--enable-cache-report\n"]}, "holds a control or format character"),
    ({"served_model_name": "scout\u202e"}, "holds a control or format character"),
    ({"sglang_version": "latest"}, "sglang_version='latest' is not a release number"),
    ({"attention_backend": "flashinfer"}, "attention_backend='flashinfer' is not allowed"),
    (dict(TINY_ARGS, hybrid_kv=True), "hybrid_kv=true but SGLang pools"),
    (dict(TINY_ARGS, speculative="eagle3"), "no EAGLE3 draft is known"),
    (dict(TINY_ARGS, multimodal=True), "has no vision encoder"),
    ({"quantization": "bf16", "model": MAVERICK_FP8}, "is an FP8 checkpoint"),
    ({"model_profile": "llama"}, "model_profile='llama' is unknown"),
    ({"swa_full_tokens_ratio": 0.0001}, "not one 8192-token window"),
    ({"context_length": 20_000_000}, "context_length=20000000 is above meta-llama/Llama-4-Scout-17B-"
                                     "16E-Instruct's max positions 10485760"),
    ({"unknown_knob": 1}, "unknown argument(s) unknown_knob"),
]


@pytest.mark.parametrize("override,message", BAD_INPUTS, ids=[m[:40] for _override, m in BAD_INPUTS])
def test_bad_input_is_a_clear_error(override, message):
    args = dict({"gpus": facts(H100_8), "model": SCOUT}, **override)
    with pytest.raises(PlanError) as err:
        plan_launch(args, host="gpu-17")
    assert str(err.value).startswith("gpu-17: ")
    assert message in str(err.value)


def test_at_least_twenty_bad_inputs():
    assert len(BAD_INPUTS) >= 20


def test_local_model_folder_planned_from_config(tmp_path):
    import json
    (tmp_path / "config.json").write_text(json.dumps(TINY_CONFIG))
    local = plan_launch({"gpus": facts(H100_1), "model": str(tmp_path)})
    named = plan_launch(dict(TINY_ARGS, gpus=facts(H100_1)))
    assert local["plan"]["kv_pool_tokens"] == named["plan"]["kv_pool_tokens"]
    assert local["argv"][1] == str(tmp_path)
    assert local["plan"]["served_model_name"] == tmp_path.name


def test_local_folder_with_profile_and_without_config(tmp_path):
    plan = plan_launch({"gpus": facts(H100_8), "model": str(tmp_path), "model_profile": SCOUT})
    assert plan["plan"]["model_profile"] == SCOUT
    with pytest.raises(PlanError, match="has no config.json"):
        plan_launch({"gpus": facts(H100_8), "model": str(tmp_path)}, host="h")


def test_inputs_not_mutated():
    args = {"gpus": facts(H100_8), "model": SCOUT, "extra_args": ["--enable-cache-report"]}
    before = copy.deepcopy(args)
    plan_launch(args)
    assert args == before


def test_string_inputs_from_inventory_are_accepted():
    plan = plan_launch({"gpus": facts(H100_8), "model": SCOUT, "port": "8000",
                        "multimodal": "yes", "context_length": "65536",
                        "mem_fraction_static": "0.8"})["plan"]
    assert (plan["port"], plan["multimodal"], plan["context_length"],
            plan["mem_fraction_static"]) == (8000, True, 65536, 0.8)


def test_argument_names_are_inventory_variables():
    assert planner.inventory_variable("model") == "sglang_model"
    assert planner.inventory_variable("sglang_version") == "sglang_version"


# ------------------------------------------------------------------------------------ local paths

@pytest.mark.parametrize("model,local", [
    ("/srv/models/scout", True), ("/srv/models/scout/", True), (SCOUT, False),
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", False)])
def test_one_definition_of_a_local_model(model, local):
    assert planner.is_local_model(model) is local


@pytest.mark.parametrize("model", ["~/models/scout", "~", "./models/scout", "../models/scout",
                                   ".", "~sglang/scout"])
def test_home_and_relative_paths_are_refused_with_the_fix(model):
    with pytest.raises(PlanError) as err:
        plan_launch({"gpus": facts(H100_8), "model": model, "model_profile": SCOUT}, host="gpu-3")
    assert str(err.value).startswith("gpu-3: model=%r is not an absolute path" % model)
    assert "give the folder's absolute path on the host, e.g. /srv/models/" in str(err.value)


def test_plan_says_whether_the_model_is_a_local_folder(tmp_path):
    hub = plan_launch({"gpus": facts(H100_8), "model": SCOUT})["plan"]
    local = plan_launch({"gpus": facts(H100_8), "model": str(tmp_path), "model_profile": SCOUT})["plan"]
    assert hub["model_is_local"] is False and local["model_is_local"] is True
    assert local["model"] == str(tmp_path) and hub["model"] == SCOUT
    # nothing to download for a local folder: the disk check asks only for the headroom
    assert local["download_gib"] == 0 and hub["download_gib"] > 100


@pytest.mark.parametrize("driver", [580, "580\n", "x" * 65])
def test_driver_version_is_short_printable_text(driver):
    gpus = dict(facts(H100_8), driver_version=driver)
    with pytest.raises(PlanError) as err:
        plan_launch({"gpus": gpus, "model": SCOUT}, host="gpu-3")
    assert str(err.value).startswith("gpu-3: gpus.driver_version=")
    assert "must be printable text of at most 64 characters, e.g. 580.95.05" in str(err.value)


# ------------------------------------------------------------------------------------ the steps

def test_plan_carries_active_weight_bytes_per_token_per_dtype():
    """Maverick FP8 keeps all but the routed experts in BF16: 31.3 GB a token, not 17B x 1 byte."""
    fp8 = plan_launch({"gpus": facts(H200_8), "model": MAVERICK_FP8})["plan"]
    bf16 = plan_launch({"gpus": facts(H200_8), "model": MAVERICK})["plan"]
    online = plan_launch({"gpus": facts(H200_8), "model": MAVERICK, "quantization": "fp8"})["plan"]
    assert fp8["active_weight_bytes_per_token"] == pytest.approx(31.32e9, rel=1e-3)
    assert fp8["active_weight_bytes_per_token"] / fp8["active_params"] == pytest.approx(1.84, abs=0.01)
    assert bf16["active_weight_bytes_per_token"] == pytest.approx(34.34e9, rel=1e-3)
    # online FP8: linear layers in FP8, embeddings and lm_head in BF16
    assert online["active_weight_bytes_per_token"] == pytest.approx(19.24e9, rel=1e-3)
    assert isinstance(fp8["active_weight_bytes_per_token"], int)


def test_steps_each_return_their_value_and_reasons():
    args = planner.validate_arguments({"gpus": facts(H100_8), "model": SCOUT, "quantization": "fp8"})
    profile = planner.resolve_model(args, "h")
    quant = planner.quantization(args, profile, "h")
    assert quant["value"] == "fp8" and quant["online"] is True
    assert quant["reasons"] == ["quantization fp8: online FP8 of the BF16 checkpoint (--quantization fp8)"]
    tp = planner.tensor_parallel(args, profile, "h")
    assert tp == {"value": 8, "reasons": ["tp 8: all 8 GPU(s)"]}
    backend = planner.attention_backend(args, profile, "h")
    assert backend["value"] == "fa3" and backend["reasons"][0].startswith("attention backend fa3: Hopper")


def test_every_argument_kind_has_a_validator():
    assert {kind for _name, _default, kind, _allowed in planner.ARGUMENTS} <= set(planner.VALIDATORS)


def test_no_family_vendor_or_checkpoint_spelling_in_the_planner():
    """Hardware and models are rows (hardware.py, model_profiles.py): the planner names none."""
    import inspect
    source = inspect.getsource(planner)
    for word in ("H100", "H200", "B200", "MI300", "nvidia", '"amd"', '"intel"', "Llama4", '+ "-FP8"',
                 "[:-4]", "fa3", "trtllm", "tiny"):
        assert word not in source, word
