# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Model profiles as data: the architecture numbers the memory planner needs, per model.

To add a model, add an entry to PROFILES (or derive one from its config.json with
profile_from_hf_config); the planner computes weight bytes, KV bytes per token and context limits
from these numbers and never names a model itself.

Numbers for Llama 4 come from Meta's config.json files (SGLang's Llama 4 page and the model card
agree): 48 layers, hidden 5120, 40 query / 8 KV heads of 128, attention chunk 8192 on the local
layers, every 4th layer global (NoPE), vocab 202,048, vision encoder 34 x 1408.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

_LLAMA4_TEXT = {
    "num_layers": 48,
    "hidden_size": 5120,
    "num_attention_heads": 40,
    "num_kv_heads": 8,
    "head_dim": 128,
    "vocab_size": 202048,
    "tie_word_embeddings": False,
    "attention_chunk_size": 8192,
    # layers 3, 7, ..., 47 are global (NoPE); the other 36 attend within an 8192-token chunk
    "global_layer_interval": 4,
    "expert_intermediate_size": 8192,
    "shared_experts": 1,
    "dense_intermediate_size": 16384,
}

# ~0.87B parameters: 34 layers of hidden 1408 (MLP 5632) plus the projector into the text model.
_LLAMA4_VISION = {"vision_layers": 34, "vision_hidden_size": 1408, "vision_params": 870_000_000}

_LLAMA4_COMMON = {
    "architecture": "Llama4ForConditionalGeneration",
    "chat_template": "llama-4",
    "tool_call_parser": "pythonic",
    "multimodal_capable": True,
    # SGLang turns the hybrid (local/global) KV pool on by default for this architecture
    "hybrid_kv_default": True,
    "eagle3": {"num_steps": 3, "eagle_topk": 1, "num_draft_tokens": 4,
               "mem_fraction_static": 0.75, "cuda_graph_max_bs": 2,
               # one Llama decoder layer with its own fc and lm_head: ~1B parameters (est.)
               "draft_params": 1_000_000_000, "draft_layers": 1},
}


def _profile(**fields):
    out = dict(_LLAMA4_COMMON)
    out.update(_LLAMA4_TEXT)
    out.update(_LLAMA4_VISION)
    out.update(fields)
    return out


PROFILES = {
    "meta-llama/Llama-4-Scout-17B-16E-Instruct": _profile(
        display_name="Llama 4 Scout 17B-16E",
        num_experts=16, moe_layer_interval=1,
        max_position_embeddings=10_485_760,
        checkpoint_dtype="bf16",
        active_params=17_000_000_000,
        eagle3_draft="lmsys/sglang-EAGLE3-Llama-4-Scout-17B-16E-Instruct-v1",
    ),
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct": _profile(
        display_name="Llama 4 Maverick 17B-128E",
        num_experts=128, moe_layer_interval=2,
        max_position_embeddings=1_048_576,
        checkpoint_dtype="bf16",
        active_params=17_000_000_000,
        eagle3_draft="nvidia/Llama-4-Maverick-17B-128E-Eagle3",
    ),
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8": _profile(
        display_name="Llama 4 Maverick 17B-128E FP8",
        num_experts=128, moe_layer_interval=2,
        max_position_embeddings=1_048_576,
        # routed experts stored in FP8 (1 byte), everything else in BF16
        checkpoint_dtype="fp8-experts",
        active_params=17_000_000_000,
        eagle3_draft="nvidia/Llama-4-Maverick-17B-128E-Eagle3",
    ),
}


def known_models():
    return sorted(PROFILES)


def lookup(model_id):
    """The profile for a hub id (case-insensitive), or None."""
    for key, value in PROFILES.items():
        if key.lower() == str(model_id).lower():
            out = dict(value)
            out["model_id"] = key
            return out
    return None


def parameter_counts(profile):
    """Parameter counts by kind, computed from the architecture numbers.

    Returns a dict: embeddings, attention, routed_experts, shared_and_dense, vision, total.
    Scout comes to ~108.6B and Maverick to ~401.6B, matching the published totals.
    """
    h = profile["hidden_size"]
    layers = profile["num_layers"]
    heads, kv, hd = profile["num_attention_heads"], profile["num_kv_heads"], profile["head_dim"]
    attention = layers * (h * heads * hd * 2 + h * kv * hd * 2)
    experts = profile.get("num_experts", 0)
    interval = profile.get("moe_layer_interval", 1) or 1
    moe_layers = layers // interval if experts else 0
    dense_layers = layers - moe_layers
    inter = profile["expert_intermediate_size"]
    routed = moe_layers * experts * 3 * h * inter
    shared = moe_layers * (profile.get("shared_experts", 0) * 3 * h * inter + h * experts)
    dense = dense_layers * 3 * h * profile.get("dense_intermediate_size", inter)
    embeddings = profile["vocab_size"] * h * (1 if profile.get("tie_word_embeddings") else 2)
    vision = profile.get("vision_params", 0)
    total = attention + routed + shared + dense + embeddings + vision
    return {"embeddings": embeddings, "attention": attention, "routed_experts": routed,
            "shared_and_dense": shared + dense, "vision": vision, "total": total}


def weight_bytes(profile, quantization, include_vision=True):
    """Bytes of parameters once loaded, for a checkpoint and the quantization the plan picked.

    bf16: 2 bytes each. fp8-experts checkpoint: routed experts 1 byte, rest 2. Online fp8 on a BF16
    checkpoint: every linear layer 1 byte; embeddings, lm_head (and the router) stay BF16.
    include_vision=False leaves out the vision tower, which SGLang builds only with images on.
    """
    p = parameter_counts(profile)
    vision = p["vision"] if include_vision else 0
    text = p["total"] - p["vision"]
    if profile["checkpoint_dtype"] == "fp8-experts":
        return p["routed_experts"] + 2 * (text - p["routed_experts"]) + 2 * vision
    if quantization == "fp8":
        linear = p["attention"] + p["routed_experts"] + p["shared_and_dense"]
        return linear + 2 * (text - linear) + vision
    return 2 * (text + vision)


# Online FP8 (--quantization fp8 on a BF16 checkpoint) holds more after load than its FP8
# parameters: SGLang builds the whole model in BF16, quantizes it layer by layer and frees the BF16
# tensors; what the allocator keeps is counted in SGLang's "Load weight end ... mem usage".
# Measured on 2 x H200, tp 2, Scout (SGLang 0.5.17): 58.59 GiB per GPU against 56.15 GiB of FP8
# parameters and rotary cache, i.e. ~0.05 byte per linear parameter (tests/e2e/gpu/results/).
ONLINE_FP8_EXTRA_BYTES_PER_LINEAR_PARAM = 0.05


def quantization_overhead_bytes(profile, quantization):
    """Bytes (all GPUs together) that a quantization holds beyond its parameters."""
    if quantization != "fp8" or profile["checkpoint_dtype"] == "fp8-experts":
        return 0
    p = parameter_counts(profile)
    linear = p["attention"] + p["routed_experts"] + p["shared_and_dense"]
    return linear * ONLINE_FP8_EXTRA_BYTES_PER_LINEAR_PARAM


def layer_split(profile, hybrid):
    """(global layers, local layers). Without the hybrid pool every layer is pooled as global."""
    layers = profile["num_layers"]
    interval = profile.get("global_layer_interval") or 0
    if not hybrid or not interval:
        return layers, 0
    global_layers = layers // interval
    if not global_layers:
        return layers, 0
    return global_layers, layers - global_layers


# SGLang keeps these counts in int32 tensors and shapes
MAX_CONFIG_COUNT = 2 ** 31 - 1


def _positive_int(value, key, model_id):
    """A config.json count as an int from 1 to MAX_CONFIG_COUNT, or ValueError naming the key."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
            or value < 1 or value > MAX_CONFIG_COUNT or int(value) != value:
        raise ValueError("config.json of %s: %s=%r is not a whole number from 1 to %d" % (
            model_id, key, value, MAX_CONFIG_COUNT))
    return int(value)


LLAMA4_ARCHITECTURES = ("Llama4ForConditionalGeneration", "Llama4ForCausalLM")


def _optional_int(src, key, model_id, default):
    """An optional config.json count: absent or null gives the default, else an int >= 1."""
    value = src.get(key)
    return default if value is None else _positive_int(value, key, model_id)


def _section(config, key, model_id):
    value = config.get(key)
    if value is not None and not isinstance(value, dict):
        raise ValueError("config.json of %s: %s=%r is not a mapping" % (model_id, key, value))
    return value


def _architecture(config, model_id):
    arch = config.get("architectures")
    if not (isinstance(arch, list) and arch and arch[0] in LLAMA4_ARCHITECTURES):
        raise ValueError("config.json of %s: architectures=%r is not a Llama 4 layout this planner "
                         "models; allowed: [%s]" % (model_id, arch, "] or [".join(
                             LLAMA4_ARCHITECTURES)))
    return arch[0]


def _no_rope_layers(text, num_layers, model_id):
    value = text.get("no_rope_layers") or []
    if not (isinstance(value, list) and all(v in (0, 1) and not isinstance(v, bool) for v in value)
            and (not value or len(value) >= num_layers)):  # SGLang indexes it by layer
        raise ValueError("config.json of %s: no_rope_layers=%.60r must list 0 or 1 for each of "
                         "the %d layers" % (model_id, value, num_layers))
    return value


def profile_from_hf_config(config, model_id):
    """Derive a profile from a Hugging Face config.json dict (Llama 4 family layout).

    Accepts the multimodal form (text_config + vision_config) and the text-only
    Llama4ForCausalLM form. Raises ValueError naming the key and the value that cannot be used.
    """
    if not isinstance(config, dict):
        raise ValueError("config.json of %s is not a JSON object" % model_id)
    arch = _architecture(config, model_id)
    text = _section(config, "text_config", model_id)
    text = config if text is None else text
    vision = _section(config, "vision_config", model_id) if "text_config" in config else None
    _section(config, "quantization_config", model_id)  # its presence marks the FP8 checkpoint

    def need(key, src=text):
        if key not in src:
            raise ValueError("config.json of %s has no '%s'" % (model_id, key))
        return _positive_int(src[key], key, model_id)

    hidden = need("hidden_size")
    heads = need("num_attention_heads")
    no_rope = _no_rope_layers(text, need("num_hidden_layers"), model_id)
    interval = 4
    if no_rope and 0 in no_rope:
        # no_rope_layers lists 1 for RoPE (local) layers and 0 for NoPE (global) ones
        globals_ = [i for i, v in enumerate(no_rope) if v == 0]
        if len(globals_) > 1:
            interval = globals_[1] - globals_[0]
    kv_heads = _positive_int(text.get("num_key_value_heads", heads), "num_key_value_heads",
                             model_id)
    if heads % kv_heads:
        raise ValueError("config.json of %s: num_key_value_heads=%d must divide "
                         "num_attention_heads=%d (grouped-query attention)" % (
                             model_id, kv_heads, heads))
    profile = {
        "display_name": model_id.rstrip("/").split("/")[-1],
        "architecture": arch,
        "chat_template": "llama-4",
        "tool_call_parser": "pythonic",
        "multimodal_capable": vision is not None,
        "hybrid_kv_default": arch == "Llama4ForConditionalGeneration",
        "num_layers": need("num_hidden_layers"),
        "hidden_size": hidden,
        "num_attention_heads": heads,
        "num_kv_heads": kv_heads,
        "head_dim": _positive_int(text.get("head_dim", hidden // heads), "head_dim", model_id),
        "vocab_size": need("vocab_size"),
        "tie_word_embeddings": bool(config.get("tie_word_embeddings", text.get("tie_word_embeddings"))),
        "attention_chunk_size": _optional_int(text, "attention_chunk_size", model_id, 0),
        "global_layer_interval": interval if text.get("attention_chunk_size") else 0,
        "expert_intermediate_size": need("intermediate_size"),
        "dense_intermediate_size": _optional_int(text, "intermediate_size_mlp", model_id,
                                                 need("intermediate_size")),
        "num_experts": _optional_int(text, "num_local_experts", model_id, 0),
        "shared_experts": 1 if text.get("num_local_experts") else 0,
        "moe_layer_interval": _optional_int(text, "interleave_moe_layer_step", model_id, 1),
        "max_position_embeddings": need("max_position_embeddings"),
        "checkpoint_dtype": "fp8-experts" if config.get("quantization_config") else "bf16",
        "vision_params": 0,
        "eagle3": dict(_LLAMA4_COMMON["eagle3"]),
        "eagle3_draft": None,
        "model_id": model_id,
    }
    if vision:
        vh = _positive_int(vision.get("hidden_size"), "vision_config.hidden_size", model_id)
        vl = _positive_int(vision.get("num_hidden_layers"), "vision_config.num_hidden_layers",
                           model_id)
        vi = _optional_int(vision, "intermediate_size", model_id, 4 * vh)
        profile.update(vision_layers=vl, vision_hidden_size=vh,
                       vision_params=vl * (4 * vh * vh + 2 * vh * vi))
    counts = parameter_counts(profile)
    # top-1 routing: each token reads one routed expert per MoE layer, plus everything else
    moe_layers = profile["num_layers"] // profile["moe_layer_interval"] if profile["num_experts"] else 0
    profile["active_params"] = (counts["total"] - counts["vision"] - counts["routed_experts"]
                                + moe_layers * 3 * hidden * profile["expert_intermediate_size"])
    return profile


# The project's own test checkpoint (tests/e2e/gpu/make_tiny_model.py): Llama4ForCausalLM, 4 layers,
# hidden 256, 4 experts, chunk 128. Random weights, made locally; the real-GPU test serves it and the
# example inventory plans it for the single-H100 host, which neither Llama 4 model fits. Its profile is
# derived from its config.json like a local model folder's would be.
TINY_TEST_MODEL = "llmops-test/tiny-llama4"
TINY_TEST_CONFIG = {
    "architectures": ["Llama4ForCausalLM"],
    "model_type": "llama4_text",
    "hidden_size": 256,
    "intermediate_size": 512,
    "intermediate_size_mlp": 1024,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 64,
    "vocab_size": 4096,
    "num_local_experts": 4,
    "num_experts_per_tok": 1,
    "interleave_moe_layer_step": 1,
    "attention_chunk_size": 128,
    "no_rope_layer_interval": 4,
    "no_rope_layers": [1, 1, 1, 0],
    "max_position_embeddings": 131072,
    "rope_theta": 500000.0,
    "rms_norm_eps": 1e-05,
    "tie_word_embeddings": False,
    "use_qk_norm": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 0,
    "torch_dtype": "bfloat16",
}
PROFILES[TINY_TEST_MODEL] = dict(profile_from_hf_config(TINY_TEST_CONFIG, TINY_TEST_MODEL),
                                 display_name="tiny Llama 4 (test)")
