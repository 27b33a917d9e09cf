# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SGLang's own memory rules at start, as pure functions, in the order SGLang applies them.

Each function names the SGLang source it follows (0.5.17 paths first, 0.5.23 second; where the two
pinned versions differ, VERSION_RULES holds the difference as data):

  1. free before load  = GPU memory - what the CUDA context and communicators hold (measured,
                         hardware.preload_overhead_mib), the minimum over tp ranks
                         (distributed/bootstrap.py: pre_model_load_memory)
  2. load              = parameters as sharded by tp + what every GPU keeps whole (the rotary
                         cos/sin cache, fp32, sized by max_position_embeddings) (load_bytes)
  3. KV pool           = mem_fraction_static x free before load - load  (kv_cache_configurator
                         _profile_available_bytes), split into full and SWA tokens
                         (pool_configurator: default / HybridSWAPoolConfigurator) (pool_tokens)
  4. then, from what is left ((1 - fraction) x free before load): the request table
     (max_running_requests + 1) x (context + 4 + draft tokens) x int32 (memory_pool.ReqToTokenPool),
     CUDA graphs and activations, which SGLang's own default fraction reserves
     (server_args._handle_gpu_memory_settings / arg_groups/memory_hook.py) (reserve_mib)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from ansible_collections.llmops.sglang.plugins.module_utils import model_profiles

MIB = 1024 ** 2
GIB = 1024 ** 3
ROTARY_CACHE_BYTES = 4      # cos/sin cache kept in fp32 (layers/rotary_embedding/base.py)
REQ_TABLE_ENTRY_BYTES = 4   # int32 (mem_cache/memory_pool.py ReqToTokenPool)
REQ_TABLE_EXTRA = 4         # context_len + 4 (+ speculative draft tokens) columns
PAGE_SIZE = 1

# Where the two pinned versions differ (everything else in this module holds for both).
VERSION_RULES = (
    # (first version, rules)
    ((0, 5, 17), {
        # kv_cache_configurator._profile_available_bytes subtracts nothing for images
        "mm_budget_reserve_mib": 0,
        "xpu_extra_reserve_mib": 0,
    }),
    ((0, 5, 23), {
        # 0.5.23 subtracts SGLANG_VLM_CACHE_SIZE_MB (100) from the KV budget when images are on
        "mm_budget_reserve_mib": 100,
        # memory_hook: oneDNN scratch space on Intel XPU, added after the 10 GiB floor
        "xpu_extra_reserve_mib": 2048,
    }),
)


def version_tuple(version):
    return tuple(int(p) for p in re.findall(r"\d+", str(version))[:3])


def rules_for(version):
    """The VERSION_RULES row of the newest version not above `version`."""
    wanted = version_tuple(version)
    chosen = VERSION_RULES[0][1]
    for since, rules in VERSION_RULES:
        if wanted >= since:
            chosen = rules
    return chosen


# ------------------------------------------------------------------------------ 4. the reserve

def chunk_and_decode_graph_bs(gpu_mib, tp):
    """chunked_prefill_size and the decode CUDA-graph max batch SGLang picks for a GPU size
    (server_args._handle_gpu_memory_settings; memory_hook.handle_gpu_memory_settings)."""
    if gpu_mib < 20 * 1024:
        return 2048, 8
    if gpu_mib < 35 * 1024:
        return 4096, 48 if tp < 4 else 160
    if gpu_mib < 60 * 1024:
        return 4096, 32 if tp < 4 else 160
    if gpu_mib < 160 * 1024:
        return 8192, 256 if tp < 4 else 512
    return 16384, 512


def prefill_graph_sizes(chunk):
    """How many prefill CUDA-graph batch sizes SGLang captures up to the chunk
    (_generate_prefill_cuda_graph_batch_sizes): 58 at 8192, 74 at 16384."""
    sizes = (list(range(4, 33, 4)) + list(range(48, 257, 16)) + list(range(288, 513, 32))
             + list(range(576, 1025, 64)) + list(range(1280, 4097, 256))
             + list(range(4608, chunk + 1, 512)))
    return len([s for s in sizes if s <= chunk])


def prefill_graph_on(vendor, multimodal):
    """The breakable prefill CUDA graph is on by default on CUDA, off on ROCm and other devices,
    and off for a multimodal Llama 4 (cuda_graph_config.default_prefill_backend and the
    'multimodal model' rule in server_args / cuda_graph_hook)."""
    return vendor == "nvidia" and not multimodal


def reserve_mib(gpu_mib, tp, vendor, multimodal, decode_graph_bs=None, version="0.5.23"):
    """What SGLang's default fraction leaves outside the static pool for activations, CUDA graphs
    and communication buffers, MiB: 512 + 1.5 x max(chunk, 2048) + tp/8 x 1024 + 2 x decode graph
    max bs + 8 per prefill graph size, at least 10 GiB on GPUs over 60 GiB
    (server_args._handle_gpu_memory_settings, reserve_for_graph_mb; memory_hook.py)."""
    chunk, max_bs = chunk_and_decode_graph_bs(gpu_mib, tp)
    if decode_graph_bs is not None:
        max_bs = decode_graph_bs
    reserved = 512 + max(chunk, 2048) * 1.5 + tp / 8 * 1024 + max_bs * 2
    if prefill_graph_on(vendor, multimodal):
        reserved += prefill_graph_sizes(chunk) * 8
    if gpu_mib > 60 * 1024:
        reserved = max(reserved, 10 * 1024)
    if vendor == "intel":
        reserved += rules_for(version)["xpu_extra_reserve_mib"]
    return reserved


def vision_fraction_factor(profile):
    """adjust_mem_fraction_for_vlm: 0.95 x clamp(1 - 0.1 x (L x H^2 / 24 Mi - 1), 0.8, 1.05);
    0.7906 for Llama 4's 34 x 1408 tower."""
    score = profile["vision_layers"] * profile["vision_hidden_size"] ** 2
    ratio = score / (24 * 1024 ** 2)
    return 0.95 * max(0.8, min(1.05, 1.0 - 0.1 * (ratio - 1.0)))


def default_fraction(gpu_mib, reserved, profile, multimodal):
    """SGLang's own --mem-fraction-static when none is given: round((GPU - reserve) / GPU, 3),
    then scaled for a vision tower when images are on."""
    fraction = round((gpu_mib - reserved) / gpu_mib, 3)
    if multimodal and profile.get("vision_layers"):
        fraction *= vision_fraction_factor(profile)
    return fraction


def aiter_scale(backend, context):
    """On AMD with aiter and a context over 8192, SGLang multiplies the fraction by 0.85, a
    given one too (server_args / attention_hook.handle_attention_backend_compatibility)."""
    return 0.85 if backend == "aiter" and context > 8192 else 1.0


# ------------------------------------------------------------------------------ 2. what loads

def rotary_cache_bytes(profile):
    """The text model's cos/sin cache: max_position_embeddings x rotary dim x fp32, on every GPU,
    built by get_rope(max_position=config.max_position_embeddings) whatever the context."""
    return profile["max_position_embeddings"] * profile["head_dim"] * ROTARY_CACHE_BYTES


def load_bytes(profile, tp, quantization, multimodal, eagle):
    """What one GPU holds after SGLang loads the model (its 'Load weight end ... mem usage').

    Returns a dict of parts (bytes per GPU) and 'total'. The vision tower is built only with
    --enable-multimodal (mllama4.py: has_vision = has_vision_weights and enable_multimodal).
    Online FP8 quantizes every linear layer (Fp8LinearMethod, Fp8MoEMethod) and keeps the router,
    embeddings and lm_head in BF16; the BF16 copies are freed before the measurement.
    """
    params = model_profiles.weight_bytes(profile, quantization, include_vision=multimodal)
    parts = {
        "parameters": params / tp,
        "rotary_cache": rotary_cache_bytes(profile),
        "quantization_overhead": model_profiles.quantization_overhead_bytes(
            profile, quantization) / tp,
        "draft_model": 2 * eagle["draft_params"] / tp if eagle else 0,
    }
    parts["total"] = sum(parts.values())
    return parts


# ------------------------------------------------------------------------------ 3. the pool

def kv_layout(profile, tp, hybrid, eagle, kv_bytes=2):
    """Per-token KV bytes per GPU: one layer's K and V for this GPU's KV heads, and the layer
    counts (pool_configurator: cell size; full and SWA layers of the hybrid pool)."""
    kv_heads = max(1, profile["num_kv_heads"] // tp)
    per_layer = 2 * kv_heads * profile["head_dim"] * kv_bytes
    full_layers, swa_layers = model_profiles.layer_split(profile, hybrid)
    draft_layers = eagle["draft_layers"] if eagle else 0
    return {"per_layer": per_layer, "full_layers": full_layers + draft_layers,
            "swa_layers": swa_layers, "full_cell": per_layer * (full_layers + draft_layers),
            "swa_cell": per_layer * swa_layers}


def pool_tokens(budget_bytes, layout, ratio):
    """(full tokens, SWA tokens) SGLang makes of a budget: full = budget // (full cell + ratio x
    SWA cell), SWA = int(full x ratio); without SWA layers, SWA = 0
    (pool_configurator.py default and HybridSWAPoolConfigurator)."""
    if budget_bytes <= 0:
        return 0, 0
    if not layout["swa_layers"]:
        full = int(budget_bytes // layout["full_cell"])
        return full // PAGE_SIZE * PAGE_SIZE, 0
    full = int(budget_bytes // (layout["full_cell"] + ratio * layout["swa_cell"]))
    full = full // PAGE_SIZE * PAGE_SIZE
    return full, int(full * ratio) // PAGE_SIZE * PAGE_SIZE


def default_running_requests(full_tokens, context):
    """resolve_max_num_reqs: clamp(full / context x 512, 2048, 4096), at most full // 2."""
    estimate = max(min(int(full_tokens / max(context, 1) * 512), 4096), 2048)
    return max(1, min(estimate, full_tokens // 2))


def given_running_requests(given, full_tokens):
    """A given --max-running-requests, as SGLang caps it: min(given, full // 2)."""
    return max(1, min(given, full_tokens // 2))


def request_table_bytes(slots, context, draft_tokens=0):
    """ReqToTokenPool: (slots + 1) x (context + 4 + draft tokens) x int32."""
    return (slots + 1) * (context + REQ_TABLE_EXTRA + draft_tokens) * REQ_TABLE_ENTRY_BYTES


def ceil_ratio(value, places=4):
    """Round a ratio up to `places` decimals (what the plan passes must still be enough)."""
    scale = 10 ** places
    return math.ceil(value * scale - 1e-9) / scale
