"""Model profiles: parameter and weight arithmetic against the published totals; rows complete and
checked; profiles derived from config.json (only an FP8 quantization_config is FP8); the active
weight bytes per token per dtype; the tiny test checkpoint lives in the tests, not the product."""

import json
import os
import subprocess
import sys

import pytest

from helpers import MAVERICK, MAVERICK_FP8, ROOT, SCOUT, TINY, TINY_CONFIG
from ansible_collections.llmops.sglang.plugins.module_utils import model_profiles as mp


@pytest.mark.parametrize("model,total_b,bf16_gb,fp8_gb", [
    (SCOUT, 108.6, 217.3, 110.7),
    (MAVERICK, 401.6, 803.2, 403.7),
    (MAVERICK_FP8, 401.6, 416.6, 416.6),
])
def test_parameters_and_weight_bytes(model, total_b, bf16_gb, fp8_gb):
    profile = mp.lookup(model)
    assert mp.parameter_counts(profile)["total"] / 1e9 == pytest.approx(total_b, abs=0.1)
    assert mp.weight_bytes(profile, "bf16") / 1e9 == pytest.approx(bf16_gb, abs=0.1)
    assert mp.weight_bytes(profile, "fp8") / 1e9 == pytest.approx(fp8_gb, abs=0.1)


def test_active_parameters_about_17b():
    for model in (SCOUT, MAVERICK):
        assert 16e9 < mp.lookup(model)["active_params"] <= 17.2e9


@pytest.mark.parametrize("hybrid,expected", [(True, (12, 36)), (False, (48, 0))])
def test_layer_split(hybrid, expected):
    assert mp.layer_split(mp.lookup(SCOUT), hybrid) == expected


def test_lookup_is_case_insensitive_and_unknown_is_none():
    assert mp.lookup(SCOUT.lower())["model_id"] == SCOUT
    assert mp.lookup("meta-llama/nope") is None


def test_scout_profile_derived_from_a_config_matches_the_data():
    """A Scout-shaped config.json (multimodal form) gives the same architecture numbers."""
    with open(os.path.join(ROOT, "tests", "fixtures", "models", "llama4-scout-shape", "config.json")) as f:
        config = json.load(f)
    derived = mp.profile_from_hf_config(config, "/models/scout")
    known = mp.lookup(SCOUT)
    for key in ("num_layers", "hidden_size", "num_attention_heads", "num_kv_heads", "head_dim",
                "vocab_size", "num_experts", "attention_chunk_size", "global_layer_interval",
                "max_position_embeddings", "hybrid_kv_default"):
        assert derived[key] == known[key], key
    assert mp.parameter_counts(derived)["total"] == pytest.approx(
        mp.parameter_counts(known)["total"], rel=0.002)


def test_config_missing_key_is_named():
    with pytest.raises(ValueError, match="config.json of /m has no 'num_hidden_layers'"):
        mp.profile_from_hf_config({"architectures": ["Llama4ForCausalLM"], "hidden_size": 8,
                                   "num_attention_heads": 1}, "/m")


def _with(path, value):
    config = json.loads(json.dumps(TINY_CONFIG))
    config[path] = value
    return config


@pytest.mark.parametrize("config,message", [
    ("not a dict", "config.json of /m is not a JSON object"),
    (_with("architectures", "Llama4ForCausalLM"), "architectures='Llama4ForCausalLM' is not a "
                                                  "layout this planner models"),
    (_with("architectures", []), "architectures=[] is not a layout this planner models"),
    (_with("architectures", ["LlamaForCausalLM"]), "is not a layout this planner models"),
    (_with("num_attention_heads", 0), "num_attention_heads=0 is not a whole number from 1"),
    (_with("num_key_value_heads", 0), "num_key_value_heads=0 is not a whole number"),
    (_with("num_hidden_layers", -3), "num_hidden_layers=-3 is not a whole number"),
    (_with("max_position_embeddings", 0), "max_position_embeddings=0 is not a whole number"),
    (_with("hidden_size", "256"), "hidden_size='256' is not a whole number"),
    (_with("hidden_size", True), "hidden_size=True is not a whole number"),
    (_with("head_dim", 2.5), "head_dim=2.5 is not a whole number"),
    (_with("attention_chunk_size", "x"), "attention_chunk_size='x' is not a whole number"),
    (_with("num_local_experts", 0), "num_local_experts=0 is not a whole number"),
    (_with("interleave_moe_layer_step", -1), "interleave_moe_layer_step=-1 is not a whole number"),
    (_with("no_rope_layers", "x"), "must list 0 or 1 for each of the 4 layers"),
    (_with("no_rope_layers", [1, 0]), "must list 0 or 1 for each of the 4 layers"),
    (_with("quantization_config", "fp8"), "quantization_config='fp8' is not a mapping"),
    (_with("num_key_value_heads", 3), "num_key_value_heads=3 must divide num_attention_heads=4"),
    (_with("num_key_value_heads", 8), "num_key_value_heads=8 must divide num_attention_heads=4"),
    (_with("vocab_size", 10 ** 15), "vocab_size=1000000000000000 is not a whole number from 1 to"),
    (_with("no_rope_layers", "abc"), "no_rope_layers='abc' must list 0 or 1"),
    (dict(_with("text_config", {}), architectures=["Llama4ForConditionalGeneration"]),
     "config.json of /m has no 'hidden_size'"),
    (dict(_with("text_config", []), architectures=["Llama4ForConditionalGeneration"]),
     "text_config=[] is not a mapping"),
])
def test_malformed_config_is_named(config, message):
    """Every bad value of a config.json is a ValueError naming the key and the value (the planner
    turns it into the host's refusal), never another exception."""
    with pytest.raises(ValueError) as err:
        mp.profile_from_hf_config(config, "/m")
    assert message in str(err.value)


def test_tiny_checkpoint_is_not_a_product_profile():
    """The test checkpoint is planned from its config.json like any local folder; the product's
    known models (every "known models" message) are real models only."""
    assert mp.lookup(TINY) is None
    assert all(model.startswith("meta-llama/") for model in mp.known_models())
    with open(os.path.join(ROOT, "plugins", "module_utils", "model_profiles.py")) as handle:
        assert "tiny" not in handle.read().lower()
    tiny = mp.profile_from_hf_config(TINY_CONFIG, TINY)
    assert (tiny["num_layers"], tiny["num_kv_heads"], tiny["head_dim"]) == (4, 2, 64)
    assert tiny["hybrid_kv_default"] is False  # Llama4ForCausalLM: one full-attention pool


def test_generator_writes_the_same_config(tmp_path):
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "e2e", "gpu", "make_tiny_model.py"),
                    str(tmp_path), "--config-only"], check=True)
    assert json.loads((tmp_path / "config.json").read_text()) == TINY_CONFIG


def test_every_row_is_complete_and_checked():
    for model_id, row in mp.PROFILES.items():
        mp.check_profile(model_id, row)
    broken = dict(mp.PROFILES[SCOUT])
    del broken["checkpoint_dtype"]
    with pytest.raises(ValueError, match="fields missing \\['checkpoint_dtype'\\]"):
        mp.check_profile("x/y", broken)
    with pytest.raises(ValueError, match="fp8_checkpoint='x/none' has no profile"):
        mp.check_profile("x/y", dict(mp.PROFILES[SCOUT], fp8_checkpoint="x/none"))
    with pytest.raises(ValueError, match="num_layers='48' is not"):
        mp.check_profile("x/y", dict(mp.PROFILES[SCOUT], num_layers="48"))


def test_bf16_and_fp8_siblings_are_fields():
    assert mp.lookup(MAVERICK)["fp8_checkpoint"] == MAVERICK_FP8
    assert mp.lookup(MAVERICK_FP8)["bf16_checkpoint"] == MAVERICK
    assert mp.lookup(SCOUT)["fp8_checkpoint"] is mp.lookup(SCOUT)["bf16_checkpoint"] is None


@pytest.mark.parametrize("quant,dtype", [
    ({"quant_method": "fbgemm_fp8"}, "fp8-experts"),
    ({"quant_method": "fp8", "activation_scheme": "dynamic"}, "fp8-experts"),
    ({}, "bf16"),
    (None, "bf16"),
])
def test_only_an_fp8_quantization_config_is_fp8(quant, dtype):
    assert mp.profile_from_hf_config(dict(TINY_CONFIG, quantization_config=quant),
                                     "/m")["checkpoint_dtype"] == dtype


@pytest.mark.parametrize("quant,shown", [
    ({"quant_method": "awq", "bits": 4}, "quant_method='awq'"),
    ({"quant_method": "gptq", "bits": 4}, "quant_method='gptq'"),
    ({"bits": 4}, "quant_method=None"),
    ({"quant_method": "bitsandbytes", "load_in_4bit": True}, "quant_method='bitsandbytes'"),
])
def test_other_quantization_configs_are_refused_by_name(quant, shown):
    with pytest.raises(ValueError) as err:
        mp.profile_from_hf_config(dict(TINY_CONFIG, quantization_config=quant), "/m")
    assert "config.json of /m: quantization_config.%s is not a quantization" % shown in str(err.value)
    assert "allowed: fbgemm_fp8, fp8" in str(err.value)


# Active weight bytes per token, whole model: embeddings and lm_head, attention, shared experts and
# dense layers, and one routed expert (3 x 5120 x 8192) per MoE layer, each in its own dtype.
_EMBEDDINGS, _ATTENTION = 2 * 202048 * 5120, 48 * (5120 * 40 * 128 * 2 + 5120 * 8 * 128 * 2)
_EXPERT = 3 * 5120 * 8192
_SCOUT_SHARED = 48 * (_EXPERT + 5120 * 16)
_MAVERICK_SHARED_DENSE = 24 * (_EXPERT + 5120 * 128) + 24 * 3 * 5120 * 16384


@pytest.mark.parametrize("model,quant,expected", [
    (SCOUT, "bf16", 2 * (_EMBEDDINGS + _ATTENTION + _SCOUT_SHARED + 48 * _EXPERT)),
    # online FP8: linear layers 1 B, embeddings and lm_head stay BF16
    (SCOUT, "fp8", 2 * _EMBEDDINGS + _ATTENTION + _SCOUT_SHARED + 48 * _EXPERT),
    (MAVERICK, "bf16", 2 * (_EMBEDDINGS + _ATTENTION + _MAVERICK_SHARED_DENSE + 24 * _EXPERT)),
    (MAVERICK, "fp8", 2 * _EMBEDDINGS + _ATTENTION + _MAVERICK_SHARED_DENSE + 24 * _EXPERT),
    # the FP8 checkpoint: only the routed experts are FP8
    (MAVERICK_FP8, "fp8", 2 * (_EMBEDDINGS + _ATTENTION + _MAVERICK_SHARED_DENSE) + 24 * _EXPERT),
])
def test_active_weight_bytes_per_token(model, quant, expected):
    assert mp.active_weight_bytes_per_token(mp.lookup(model), quant) == expected


def test_maverick_fp8_reads_more_than_one_byte_per_active_parameter():
    """The old estimate, 17B active parameters x 1 byte, was ~1.8x too optimistic for the FP8
    checkpoint, which keeps all but the routed experts in BF16."""
    fp8 = mp.active_weight_bytes_per_token(mp.lookup(MAVERICK_FP8), "fp8")
    assert fp8 / 1e9 == pytest.approx(31.3, abs=0.05)
    assert fp8 / 17e9 == pytest.approx(1.84, abs=0.01)
    bf16 = mp.active_weight_bytes_per_token(mp.lookup(MAVERICK), "bf16")
    assert 0.9 < fp8 / bf16 < 0.92
