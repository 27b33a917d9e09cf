# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Model profiles as data: the architecture numbers the memory planner needs, per model.

To add a model, add a row to PROFILES (or derive one from its config.json with
profile_from_hf_config); to add an architecture, a row to ARCHITECTURES with its config.json
adapter. Every row is checked against PROFILE_FIELDS. The planner computes weight bytes, KV bytes
per token and context limits from these numbers and never names a model, an architecture or a
checkpoint spelling itself.

Numbers for Llama 4 come from Meta's config.json files (SGLang's Llama 4 page and the model card
agree): 48 layers, hidden 5120, 40 query / 8 KV heads of 128, attention chunk 8192 on the local
layers, every 4th layer global (NoPE), vocab 202,048, vision encoder 34 x 1408.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

# The attention backends SGLang accepts for Llama 4 (model_runner checks this list).
_LLAMA4_ATTENTION_BACKENDS = ("fa3", "aiter", "triton", "trtllm_mha", "intel_xpu")

# EAGLE3 as the cookbook runs it; one Llama decoder layer with its own fc and lm_head is ~1B
# parameters (est.).
_LLAMA4_EAGLE3 = {"num_steps": 3, "eagle_topk": 1, "num_draft_tokens": 4,
                  "mem_fraction_static": 0.75, "cuda_graph_max_bs": 2,
                  "draft_params": 1_000_000_000, "draft_layers": 1}

_LLAMA4 = {
    "chat_template": "llama-4",
    "tool_call_parser": "pythonic",
    "attention_backends": _LLAMA4_ATTENTION_BACKENDS,
    "eagle3": _LLAMA4_EAGLE3,
    # why pipeline parallel cannot take over where tensor parallel stops (SGLang 0.5.17 and
    # 0.5.23 source: tests/e2e/pp/RESEARCH.md)
    "no_pipeline_parallel": "SGLang does not split Llama 4's layers between pipeline stages (its "
                            "Llama4Model builds all 48 on every rank) and refuses --pp-size above 1 "
                            "for Llama4ForConditionalGeneration once loaded: 'Pipeline Parallel is "
                            "not compatible with this model.'",
}

# Per architecture (config.json's architectures[0]): what SGLang does for it, and the adapter
# that reads its config.json. hybrid_kv_default: SGLang turns the hybrid (local/global) KV pool
# on by default for it.
ARCHITECTURES = {
    "Llama4ForConditionalGeneration": dict(_LLAMA4, hybrid_kv_default=True, adapter="llama4"),
    "Llama4ForCausalLM": dict(_LLAMA4, hybrid_kv_default=False, adapter="llama4"),
}

# Per checkpoint dtype: the precision it serves in, and the bytes per parameter of each part as
# stored and after online FP8 (--quantization fp8: every linear layer to FP8, embeddings and
# lm_head stay BF16; None where the checkpoint is FP8 already). Parts are parameter_counts()'s.
CHECKPOINT_BYTES = {
    "bf16": {
        "precision": "bf16",
        "stored": {"embeddings": 2, "attention": 2, "routed_experts": 2, "shared_and_dense": 2,
                   "vision": 2},
        "online_fp8": {"embeddings": 2, "attention": 1, "routed_experts": 1,
                       "shared_and_dense": 1, "vision": 1},
    },
    # Meta's FP8 Maverick: routed experts in FP8, attention, shared experts, router, embeddings and
    # the vision tower in BF16
    "fp8-experts": {
        "precision": "fp8",
        "stored": {"embeddings": 2, "attention": 2, "routed_experts": 1, "shared_and_dense": 2,
                   "vision": 2},
        "online_fp8": None,
    },
}
# quant_method values of a config.json quantization_config read as Meta's FP8 layout; any other
# (AWQ, GPTQ, INT4, ...) is refused: the planner has no arithmetic for it
FP8_QUANT_METHODS = ("fbgemm_fp8", "fp8")

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
    "experts_per_token": 1,
    "shared_experts": 1,
    "dense_intermediate_size": 16384,
    # ~0.87B parameters: 34 layers of hidden 1408 (MLP 5632) plus the projector into the text model
    "vision_layers": 34, "vision_hidden_size": 1408, "vision_params": 870_000_000,
    "multimodal_capable": True,
    "active_params": 17_000_000_000,
}


def _llama4_row(architecture, **fields):
    arch = ARCHITECTURES[architecture]
    row = {key: arch[key] for key in ("chat_template", "tool_call_parser", "attention_backends",
                                      "hybrid_kv_default")}
    row.update(_LLAMA4_TEXT, architecture=architecture, eagle3=dict(arch["eagle3"]),
               bf16_checkpoint=None, fp8_checkpoint=None)
    row.update(fields)
    return row


PROFILES = {
    "meta-llama/Llama-4-Scout-17B-16E-Instruct": _llama4_row(
        "Llama4ForConditionalGeneration",
        display_name="Llama 4 Scout 17B-16E",
        num_experts=16, moe_layer_interval=1,
        max_position_embeddings=10_485_760,
        checkpoint_dtype="bf16",
        eagle3_draft="lmsys/sglang-EAGLE3-Llama-4-Scout-17B-16E-Instruct-v1",
    ),
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct": _llama4_row(
        "Llama4ForConditionalGeneration",
        display_name="Llama 4 Maverick 17B-128E",
        num_experts=128, moe_layer_interval=2,
        max_position_embeddings=1_048_576,
        checkpoint_dtype="bf16",
        fp8_checkpoint="meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
        eagle3_draft="nvidia/Llama-4-Maverick-17B-128E-Eagle3",
    ),
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8": _llama4_row(
        "Llama4ForConditionalGeneration",
        display_name="Llama 4 Maverick 17B-128E FP8",
        num_experts=128, moe_layer_interval=2,
        max_position_embeddings=1_048_576,
        checkpoint_dtype="fp8-experts",
        bf16_checkpoint="meta-llama/Llama-4-Maverick-17B-128E-Instruct",
        eagle3_draft="nvidia/Llama-4-Maverick-17B-128E-Eagle3",
    ),
}

_OPTIONAL_TEXT = (str, type(None))
# Every profile has exactly these fields, of these types (check_profile)
PROFILE_FIELDS = {
    "display_name": str, "architecture": str, "chat_template": str, "tool_call_parser": str,
    "attention_backends": tuple, "hybrid_kv_default": bool, "multimodal_capable": bool,
    "num_layers": int, "hidden_size": int, "num_attention_heads": int, "num_kv_heads": int,
    "head_dim": int, "vocab_size": int, "tie_word_embeddings": bool, "attention_chunk_size": int,
    "global_layer_interval": int, "expert_intermediate_size": int, "dense_intermediate_size": int,
    "num_experts": int, "experts_per_token": int, "shared_experts": int,
    "moe_layer_interval": int, "max_position_embeddings": int, "checkpoint_dtype": str,
    "vision_layers": int, "vision_hidden_size": int, "vision_params": int, "active_params": int,
    "eagle3": dict, "eagle3_draft": _OPTIONAL_TEXT, "bf16_checkpoint": _OPTIONAL_TEXT,
    "fp8_checkpoint": _OPTIONAL_TEXT,
}


def check_profile(model_id, row):
    """A profile row is complete and consistent, or ValueError naming the field."""
    if set(row) - {"model_id"} != set(PROFILE_FIELDS):
        raise ValueError("model profile %s: fields missing %s, unknown %s" % (
            model_id, sorted(set(PROFILE_FIELDS) - set(row)),
            sorted(set(row) - set(PROFILE_FIELDS) - {"model_id"})))
    for field, kind in PROFILE_FIELDS.items():
        if not isinstance(row[field], kind) or kind is int and isinstance(row[field], bool):
            raise ValueError("model profile %s: %s=%r is not %s" % (
                model_id, field, row[field], kind))
    if row["architecture"] not in ARCHITECTURES:
        raise ValueError("model profile %s: architecture=%r is not one of %s" % (
            model_id, row["architecture"], ", ".join(ARCHITECTURES)))
    if row["checkpoint_dtype"] not in CHECKPOINT_BYTES:
        raise ValueError("model profile %s: checkpoint_dtype=%r is not one of %s" % (
            model_id, row["checkpoint_dtype"], ", ".join(CHECKPOINT_BYTES)))
    for field in ("bf16_checkpoint", "fp8_checkpoint"):
        if row[field] is not None and row[field] not in PROFILES:
            raise ValueError("model profile %s: %s=%r has no profile" % (model_id, field, row[field]))


for _model_id, _row in PROFILES.items():
    check_profile(_model_id, _row)


def known_models():
    return sorted(PROFILES)


def attention_backends():
    """Every attention backend some architecture accepts, in the rows' order."""
    out = []
    for arch in ARCHITECTURES.values():
        out.extend(b for b in arch["attention_backends"] if b not in out)
    return tuple(out)


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

    Returns a dict: embeddings, attention, routed_experts, shared_and_dense, vision, total, and
    active_routed_experts (the top-k routed experts a token reads in every MoE layer).
    Scout comes to ~108.6B and Maverick to ~401.6B, matching the published totals.
    """
    h = profile["hidden_size"]
    layers = profile["num_layers"]
    heads, kv, hd = profile["num_attention_heads"], profile["num_kv_heads"], profile["head_dim"]
    attention = layers * (h * heads * hd * 2 + h * kv * hd * 2)
    experts = profile["num_experts"]
    interval = profile["moe_layer_interval"] or 1
    moe_layers = layers // interval if experts else 0
    dense_layers = layers - moe_layers
    inter = profile["expert_intermediate_size"]
    expert = 3 * h * inter
    routed = moe_layers * experts * expert
    shared = moe_layers * (profile["shared_experts"] * expert + h * experts)
    dense = dense_layers * 3 * h * profile["dense_intermediate_size"]
    embeddings = profile["vocab_size"] * h * (1 if profile["tie_word_embeddings"] else 2)
    vision = profile["vision_params"]
    total = attention + routed + shared + dense + embeddings + vision
    return {"embeddings": embeddings, "attention": attention, "routed_experts": routed,
            "shared_and_dense": shared + dense, "vision": vision, "total": total,
            "active_routed_experts": moe_layers * min(profile["experts_per_token"], experts) * expert}


def part_bytes(profile, quantization):
    """Bytes per parameter of each part for this checkpoint and the quantization the plan picked."""
    dtype = CHECKPOINT_BYTES[profile["checkpoint_dtype"]]
    return dtype["online_fp8"] if quantization == "fp8" and dtype["online_fp8"] else dtype["stored"]


def weight_bytes(profile, quantization, include_vision=True):
    """Bytes of parameters once loaded (CHECKPOINT_BYTES per part). include_vision=False leaves
    out the vision tower, which SGLang builds only with images on."""
    p = parameter_counts(profile)
    size = part_bytes(profile, quantization)
    parts = ("embeddings", "attention", "routed_experts", "shared_and_dense") + (
        ("vision",) if include_vision else ())
    return sum(p[part] * size[part] for part in parts)


def active_weight_bytes_per_token(profile, quantization):
    """Bytes of weights read to decode one token, all GPUs together, each part in its own dtype:
    embeddings and lm_head, attention, shared experts and dense layers, and the top-k routed
    experts of each MoE layer (the parts of the published "17B active"; the input embedding reads
    one row, so this errs by its table, 1 GB for Llama 4, on the safe side). The vision tower is
    not read while decoding."""
    p = parameter_counts(profile)
    size = part_bytes(profile, quantization)
    return int(sum(p[part] * size[part] for part in ("embeddings", "attention", "shared_and_dense"))
               + p["active_routed_experts"] * size["routed_experts"])


# Online FP8 (--quantization fp8 on a BF16 checkpoint) holds more after load than its FP8
# parameters: SGLang builds the whole model in BF16, quantizes it layer by layer and frees the BF16
# tensors; what the allocator keeps is counted in SGLang's "Load weight end ... mem usage".
# Measured on 2 x H200, tp 2, Scout (SGLang 0.5.17): 58.59 GiB per GPU against 56.15 GiB of FP8
# parameters and rotary cache, i.e. ~0.05 byte per linear parameter (tests/e2e/gpu/results/).
ONLINE_FP8_EXTRA_BYTES_PER_LINEAR_PARAM = 0.05


def quantization_overhead_bytes(profile, quantization):
    """Bytes (all GPUs together) that a quantization holds beyond its parameters."""
    if quantization != "fp8" or not CHECKPOINT_BYTES[profile["checkpoint_dtype"]]["online_fp8"]:
        return 0
    p = parameter_counts(profile)
    linear = p["attention"] + p["routed_experts"] + p["shared_and_dense"]
    return linear * ONLINE_FP8_EXTRA_BYTES_PER_LINEAR_PARAM


def layer_split(profile, hybrid):
    """(global layers, local layers). Without the hybrid pool every layer is pooled as global."""
    layers = profile["num_layers"]
    interval = profile["global_layer_interval"]
    if not hybrid or not interval:
        return layers, 0
    global_layers = layers // interval
    if not global_layers:
        return layers, 0
    return global_layers, layers - global_layers


# ------------------------------------------------------------------------------ config.json

# SGLang keeps these counts in int32 tensors and shapes
MAX_CONFIG_COUNT = 2 ** 31 - 1


def _positive_int(value, key, model_id):
    """A config.json count as an int from 1 to MAX_CONFIG_COUNT, or ValueError naming the key."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
            or value < 1 or value > MAX_CONFIG_COUNT or int(value) != value:
        raise ValueError("config.json of %s: %s=%r is not a whole number from 1 to %d" % (
            model_id, key, value, MAX_CONFIG_COUNT))
    return int(value)


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
    if not (isinstance(arch, list) and arch and arch[0] in ARCHITECTURES):
        raise ValueError("config.json of %s: architectures=%r is not a layout this planner "
                         "models; allowed: [%s]" % (model_id, arch, "] or [".join(ARCHITECTURES)))
    return arch[0]


def _checkpoint_dtype(config, model_id):
    """bf16 without a quantization_config; Meta's FP8 layout for an FP8 quant_method; any other
    quantization is refused, naming the key and the value."""
    quant = _section(config, "quantization_config", model_id)
    if not quant:
        return "bf16"
    method = quant.get("quant_method")
    if method not in FP8_QUANT_METHODS:
        raise ValueError("config.json of %s: quantization_config.quant_method=%r is not a "
                         "quantization this planner sizes; allowed: %s (FP8), or no "
                         "quantization_config (BF16)" % (
                             model_id, method, ", ".join(FP8_QUANT_METHODS)))
    return "fp8-experts"


def _no_rope_layers(text, num_layers, model_id):
    value = text.get("no_rope_layers") or []
    if not (isinstance(value, list) and all(v in (0, 1) and not isinstance(v, bool) for v in value)
            and (not value or len(value) >= num_layers)):  # SGLang indexes it by layer
        raise ValueError("config.json of %s: no_rope_layers=%.60r must list 0 or 1 for each of "
                         "the %d layers" % (model_id, value, num_layers))
    return value


def _global_layer_interval(text, no_rope):
    """Layers between two global (NoPE) layers: no_rope_layers lists 1 for RoPE (local) layers and
    0 for NoPE (global) ones; 4 where it does not say; 0 without chunked attention."""
    if not text.get("attention_chunk_size"):
        return 0
    globals_ = [i for i, v in enumerate(no_rope) if v == 0]
    return globals_[1] - globals_[0] if len(globals_) > 1 else 4


def _vision_fields(vision, model_id):
    if not vision:
        return {"vision_layers": 0, "vision_hidden_size": 0, "vision_params": 0}
    vh = _positive_int(vision.get("hidden_size"), "vision_config.hidden_size", model_id)
    vl = _positive_int(vision.get("num_hidden_layers"), "vision_config.num_hidden_layers", model_id)
    vi = _optional_int(vision, "intermediate_size", model_id, 4 * vh)
    return {"vision_layers": vl, "vision_hidden_size": vh,
            "vision_params": vl * (4 * vh * vh + 2 * vh * vi)}


def _llama4_text_fields(text, model_id):
    """The text model's numbers from a Llama 4 (text_)config."""
    def need(key):
        if key not in text:
            raise ValueError("config.json of %s has no '%s'" % (model_id, key))
        return _positive_int(text[key], key, model_id)

    hidden, heads, layers = need("hidden_size"), need("num_attention_heads"), need("num_hidden_layers")
    no_rope = _no_rope_layers(text, layers, model_id)
    kv_heads = _positive_int(text.get("num_key_value_heads", heads), "num_key_value_heads", model_id)
    if heads % kv_heads:
        raise ValueError("config.json of %s: num_key_value_heads=%d must divide "
                         "num_attention_heads=%d (grouped-query attention)" % (
                             model_id, kv_heads, heads))
    experts = _optional_int(text, "num_local_experts", model_id, 0)
    return {
        "num_layers": layers, "hidden_size": hidden, "num_attention_heads": heads,
        "num_kv_heads": kv_heads,
        "head_dim": _positive_int(text.get("head_dim", hidden // heads), "head_dim", model_id),
        "vocab_size": need("vocab_size"),
        "attention_chunk_size": _optional_int(text, "attention_chunk_size", model_id, 0),
        "global_layer_interval": _global_layer_interval(text, no_rope),
        "expert_intermediate_size": need("intermediate_size"),
        "dense_intermediate_size": _optional_int(text, "intermediate_size_mlp", model_id,
                                                 need("intermediate_size")),
        "num_experts": experts,
        "experts_per_token": _optional_int(text, "num_experts_per_tok", model_id, 1),
        "shared_experts": 1 if experts else 0,
        "moe_layer_interval": _optional_int(text, "interleave_moe_layer_step", model_id, 1),
        "max_position_embeddings": need("max_position_embeddings"),
    }


def _llama4_from_config(config, model_id, arch):
    """The llama4 adapter: the multimodal form (text_config + vision_config) and the text-only
    Llama4ForCausalLM form."""
    text = _section(config, "text_config", model_id)
    text = config if text is None else text
    vision = _section(config, "vision_config", model_id) if "text_config" in config else None
    profile = _llama4_row(arch, display_name=model_id.rstrip("/").split("/")[-1],
                          multimodal_capable=vision is not None,
                          checkpoint_dtype=_checkpoint_dtype(config, model_id),
                          tie_word_embeddings=bool(config.get(
                              "tie_word_embeddings", text.get("tie_word_embeddings"))),
                          eagle3_draft=None, model_id=model_id)
    profile.update(_llama4_text_fields(text, model_id))
    profile.update(_vision_fields(vision, model_id))
    counts = parameter_counts(profile)
    profile["active_params"] = (counts["total"] - counts["vision"] - counts["routed_experts"]
                                + counts["active_routed_experts"])
    return profile


ADAPTERS = {"llama4": _llama4_from_config}


def profile_from_hf_config(config, model_id):
    """Derive a profile from a Hugging Face config.json dict with the adapter of its architecture.
    Raises ValueError naming the key and the value that cannot be used."""
    if not isinstance(config, dict):
        raise ValueError("config.json of %s is not a JSON object" % model_id)
    arch = _architecture(config, model_id)
    profile = ADAPTERS[ARCHITECTURES[arch]["adapter"]](config, model_id, arch)
    check_profile(model_id, profile)
    return profile
