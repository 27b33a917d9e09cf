# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The launch planner: GPU facts + model + options -> SGLang arguments and the arithmetic behind them.

Pure functions, no Ansible imports: the launch_plan and fleet_plan action plugins and the unit tests
call plan_launch() directly. Every decision adds one line to `reasons`.

Memory model (SGLang 0.5.x, mem_cache/kv_cache_configurator.py and arg_groups/memory_hook.py):
  free_before_load = GPU memory - runtime overhead (CUDA context, communicators)
  kv_budget        = mem_fraction_static * free_before_load - weights per GPU - multimodal reserve
  kv_pool_tokens   = kv_budget / KV bytes per token per GPU        (SGLang's max_total_num_tokens)
  With the hybrid pool a token costs its global layers plus swa_full_tokens_ratio x its local layers.
  The request table (max_running_requests x context_length x int32) comes out of the same memory,
  which is why an uncapped 10M context runs out of memory at start; the context limit counts it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math
import os
import re
import shlex

from ansible_collections.llmops.sglang.plugins.module_utils import hardware, model_profiles

GIB = 1024 ** 3
MIB = 1024 ** 2
KV_DTYPE_BYTES = 2          # bf16 KV cache
REQ_TABLE_ENTRY_BYTES = 4   # int32 slot per (request, position)
MIN_CONTEXT = 4096
DEFAULT_SWA_RATIO = 0.8     # SGLang's --swa-full-tokens-ratio default
SUPPORTED_SGLANG_VERSIONS = ("0.5.17", "0.5.23")

# Flags SGLang renamed: (first version with the new name, new flag, older flag). Checked against
# both pinned versions' own parsers (tests/unit/test_sglang_parser.py).
RENAMED_FLAGS = {
    "cuda_graph_max_bs": ((0, 5, 23), "--cuda-graph-max-bs-decode", "--cuda-graph-max-bs"),
}


def version_tuple(version):
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def flag_for(name, version):
    since, new, old = RENAMED_FLAGS[name]
    return new if version_tuple(version) >= since else old

# The attention backends SGLang accepts for Llama 4 (model_runner checks this list).
LLAMA4_ATTENTION_BACKENDS = ("fa3", "aiter", "triton", "trtllm_mha", "intel_xpu")

REQUIRED_GPU_KEYS = ("vendor", "count", "name", "family", "memory_mib", "compute_capability")

# name: (default, kind, allowed). kind drives validation; each name is also an inventory variable
# `sglang_<name>` (sglang_version keeps its own name).
ARGUMENTS = (
    ("gpus", None, "dict", None),
    ("model", None, "str", None),
    ("model_profile", None, "str_or_none", None),
    ("model_config", None, "dict_or_none", None),
    ("quantization", "auto", "choice", ("auto", "bf16", "fp8")),
    ("context_length", "auto", "auto_or_int", None),
    ("multimodal", False, "bool", None),
    ("tool_calling", False, "bool", None),
    ("speculative", "none", "choice", ("none", "eagle3")),
    ("hybrid_kv", None, "bool_or_none", None),
    ("swa_full_tokens_ratio", DEFAULT_SWA_RATIO, "ratio", None),
    ("mem_fraction_static", "auto", "auto_or_fraction", None),
    ("max_running_requests", "auto", "auto_or_count", None),
    ("attention_backend", "auto", "choice", ("auto",) + LLAMA4_ATTENTION_BACKENDS),
    ("host", "127.0.0.1", "host", None),
    ("port", 30000, "port", None),
    ("served_model_name", None, "str_or_none", None),
    ("nnodes", 1, "positive_int", None),
    ("node_rank", 0, "non_negative_int", None),
    ("dist_init_addr", None, "str_or_none", None),
    ("extra_args", [], "list_of_str", None),
    ("sglang_version", "0.5.23", "version", None),
)
ARGUMENT_NAMES = tuple(a[0] for a in ARGUMENTS)


def inventory_variable(name):
    """The inventory variable that feeds a launch_plan argument."""
    return name if name.startswith("sglang_") else "sglang_" + name


class PlanError(ValueError):
    """Bad input or a plan that cannot fit; the message is meant for the user as it is."""


# ------------------------------------------------------------------------------------ validation

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _bool(name, value, host):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise PlanError("%s: %s=%r is not a boolean (use true or false)" % (host, name, value))


def _int(name, value, host, minimum=None, maximum=None, what="an integer"):
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise PlanError("%s: %s=%r is not %s" % (host, name, value, what))
    try:
        number = int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
    except ValueError:
        raise PlanError("%s: %s=%r is not %s" % (host, name, value, what))
    if minimum is not None and number < minimum or maximum is not None and number > maximum:
        raise PlanError("%s: %s=%r is out of range: allowed %s" % (
            host, name, value, _range_text(minimum, maximum)))
    return number


def _range_text(minimum, maximum):
    if maximum is None:
        return ">= %s" % minimum
    return "%s to %s" % (minimum, maximum)


def _float(name, value, host, low, high, low_open=False):
    if isinstance(value, bool):
        raise PlanError("%s: %s=%r is not a number" % (host, name, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanError("%s: %s=%r is not a number" % (host, name, value))
    if math.isnan(number) or number > high or number < low or (low_open and number == low):
        raise PlanError("%s: %s=%r is out of range: allowed %s%s to %s" % (
            host, name, value, "above " if low_open else "", low, high))
    return number


_HOST_RE = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9-]{1,63})*$")
_IPV6_RE = re.compile(r"^[0-9A-Fa-f:]+$")
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+(?:\.?post\d+|rc\d+)?$")
_HUB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


def validate_arguments(raw, host="this host"):
    """Check and normalise launch_plan arguments. Returns a new dict; raises PlanError."""
    if not isinstance(raw, dict):
        raise PlanError("%s: launch_plan arguments must be a mapping, got %s" % (
            host, type(raw).__name__))
    unknown = sorted(set(raw) - set(ARGUMENT_NAMES))
    if unknown:
        raise PlanError("%s: unknown argument(s) %s; allowed: %s" % (
            host, ", ".join(unknown), ", ".join(ARGUMENT_NAMES)))
    args = {}
    for name, default, kind, allowed in ARGUMENTS:
        value = raw.get(name)
        if value is None:
            if name in ("gpus", "model"):
                raise PlanError("%s: %s is required (inventory variable %s)" % (
                    host, name, inventory_variable(name)))
            value = list(default) if isinstance(default, list) else default
            if value is None:
                args[name] = None
                continue
        if kind == "dict":
            args[name] = _validate_gpus(value, host)
        elif kind == "str":
            if not isinstance(value, str) or not value.strip():
                raise PlanError("%s: %s=%r must be a non-empty string" % (host, name, value))
            args[name] = value.strip()
        elif kind == "dict_or_none":
            if not isinstance(value, dict):
                raise PlanError("%s: %s must be the parsed config.json (a mapping), got %s" % (
                    host, name, type(value).__name__))
            args[name] = value
        elif kind == "str_or_none":
            if not isinstance(value, str) or not value.strip():
                raise PlanError("%s: %s=%r must be a non-empty string" % (host, name, value))
            args[name] = value.strip()
        elif kind == "choice":
            text = str(value).strip().lower()
            if text not in allowed:
                raise PlanError("%s: %s=%r is not allowed: use one of %s" % (
                    host, name, value, ", ".join(allowed)))
            args[name] = text
        elif kind == "bool":
            args[name] = _bool(name, value, host)
        elif kind == "bool_or_none":
            args[name] = _bool(name, value, host)
        elif kind == "auto_or_int":
            if str(value).strip().lower() == "auto":
                args[name] = "auto"
            else:
                args[name] = _int(name, value, host, minimum=MIN_CONTEXT, maximum=100_000_000,
                                  what="'auto' or a whole number of tokens")
        elif kind == "auto_or_count":
            if str(value).strip().lower() == "auto":
                args[name] = "auto"
            else:
                args[name] = _int(name, value, host, minimum=1, maximum=65536,
                                  what="'auto' or a whole number of requests")
        elif kind == "auto_or_fraction":
            if str(value).strip().lower() == "auto":
                args[name] = "auto"
            else:
                args[name] = _float(name, value, host, 0.0, 0.99, low_open=True)
        elif kind == "ratio":
            args[name] = _float(name, value, host, 0.0, 1.0, low_open=True)
        elif kind == "host":
            text = str(value).strip()
            if not (_HOST_RE.match(text) or (":" in text and _IPV6_RE.match(text))):
                raise PlanError("%s: host=%r is not an IP address or host name" % (host, value))
            args[name] = text
        elif kind == "port":
            args[name] = _int(name, value, host, minimum=1, maximum=65535, what="a TCP port")
        elif kind == "positive_int":
            args[name] = _int(name, value, host, minimum=1, maximum=64)
        elif kind == "non_negative_int":
            args[name] = _int(name, value, host, minimum=0, maximum=63)
        elif kind == "list_of_str":
            if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(
                    isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
                raise PlanError("%s: extra_args=%r must be a list of strings, e.g. "
                                "['--enable-metrics']" % (host, value))
            args[name] = [str(v) for v in value]
        elif kind == "version":
            text = str(value).strip()
            if not _VERSION_RE.match(text):
                raise PlanError("%s: sglang_version=%r is not a release number such as 0.5.23"
                                % (host, value))
            args[name] = text
    if args["node_rank"] >= args["nnodes"]:
        raise PlanError("%s: node_rank=%d must be below nnodes=%d" % (
            host, args["node_rank"], args["nnodes"]))
    if args["nnodes"] > 1:
        addr = args["dist_init_addr"]
        if not addr or not re.match(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$", addr):
            raise PlanError("%s: nnodes=%d needs dist_init_addr as HOST:PORT of rank 0 "
                            "(the same on every rank), got %r" % (host, args["nnodes"], addr))
        if not 1 <= int(addr.rsplit(":", 1)[1]) <= 65535:
            raise PlanError("%s: dist_init_addr=%r has a port outside 1-65535" % (host, addr))
    return args


def _validate_gpus(gpus, host):
    if not isinstance(gpus, dict):
        raise PlanError("%s: gpus must be the dict gpu_facts returns, got %s" % (
            host, type(gpus).__name__))
    missing = [k for k in REQUIRED_GPU_KEYS if k not in gpus]
    if missing:
        raise PlanError("%s: gpus is missing %s (needs %s; run llmops.sglang.gpu_facts or set "
                        "sglang_gpus)" % (host, ", ".join(missing), ", ".join(REQUIRED_GPU_KEYS)))
    out = dict(gpus)
    out["count"] = _int("gpus.count", gpus["count"], host, minimum=1, maximum=64)
    out["memory_mib"] = _int("gpus.memory_mib", gpus["memory_mib"], host, minimum=1024,
                             maximum=4 * 1024 * 1024)
    if out["vendor"] not in ("nvidia", "amd", "intel"):
        raise PlanError("%s: gpus.vendor=%r is not supported: nvidia, amd or intel" % (
            host, gpus["vendor"]))
    return out


# ------------------------------------------------------------------------------------ model

def resolve_model(args, host, path_exists=os.path.exists, read_file=None):
    """The profile for args['model']: a known hub id, a local path with a known model_profile, or
    a local path whose config.json the controller can read."""
    model = args["model"]
    if args.get("model_config") is not None:
        try:
            return model_profiles.profile_from_hf_config(args["model_config"], model)
        except (ValueError, TypeError, KeyError) as exc:
            raise PlanError("%s: model=%r: its config.json cannot be planned: %s" % (host, model, exc))
    if args.get("model_profile"):
        profile = model_profiles.lookup(args["model_profile"])
        if profile is None:
            raise PlanError("%s: model_profile=%r is unknown; known: %s" % (
                host, args["model_profile"], ", ".join(model_profiles.known_models())))
        return profile
    if model.startswith(("/", "./", "../", "~")):
        config_path = os.path.join(os.path.expanduser(model), "config.json")
        if not path_exists(os.path.expanduser(model)):
            raise PlanError(
                "%s: model=%r is a local path that does not exist here; give a hub id (%s) or "
                "set model_profile to the profile of the weights stored there" % (
                    host, model, ", ".join(model_profiles.known_models())))
        if not path_exists(config_path):
            raise PlanError("%s: model=%r has no config.json; a model folder needs one" % (
                host, model))
        try:
            text = read_file(config_path) if read_file else _read(config_path)
            return model_profiles.profile_from_hf_config(json.loads(text), model)
        except (ValueError, OSError) as exc:
            raise PlanError("%s: model=%r: cannot read its config.json: %s" % (host, model, exc))
    profile = model_profiles.lookup(model)
    if profile is not None:
        return profile
    if _HUB_ID_RE.match(model):
        raise PlanError("%s: model=%r has no profile; known models: %s (or a local path with a "
                        "config.json)" % (host, model, ", ".join(model_profiles.known_models())))
    raise PlanError("%s: model=%r is neither a hub id (owner/name) nor a local path (/...)" % (
        host, model))


def _read(path):
    with open(path) as handle:
        return handle.read()


# ------------------------------------------------------------------------------------ memory

def sglang_defaults(gpu_mib, tp):
    """chunked_prefill_size and decode CUDA-graph max batch SGLang picks for a GPU size."""
    if gpu_mib < 20 * 1024:
        return 2048, 8
    if gpu_mib < 35 * 1024:
        return 4096, 48 if tp < 4 else 160
    if gpu_mib < 60 * 1024:
        return 4096, 32 if tp < 4 else 160
    if gpu_mib < 160 * 1024:
        return 8192, 256 if tp < 4 else 512
    return 16384, 512


def auto_mem_fraction(gpu_mib, tp, profile, multimodal, cuda_graph_max_bs=None):
    """SGLang's own mem_fraction_static when none is given: (GPU - reserve) / GPU, the reserve
    covering activations, CUDA graphs and tp, at least 10 GiB on GPUs over 60 GiB; then scaled
    down for a vision encoder when images are on."""
    chunk, max_bs = sglang_defaults(gpu_mib, tp)
    if cuda_graph_max_bs is not None:
        max_bs = cuda_graph_max_bs
    reserved = 512 + max(chunk, 2048) * 1.5 + tp / 8 * 1024 + max_bs * 2
    if gpu_mib > 60 * 1024:
        reserved = max(reserved, 10 * 1024)
    fraction = round((gpu_mib - reserved) / gpu_mib, 3)
    if multimodal and profile.get("vision_layers"):
        score = profile["vision_layers"] * profile["vision_hidden_size"] ** 2
        ratio = score / (24 * 1024 ** 2)
        factor = max(0.8, min(1.05, 1.0 - 0.1 * (ratio - 1.0)))
        fraction = fraction * 0.95 * factor
    return fraction, reserved


def valid_tp_sizes(profile, limit):
    """Tensor-parallel sizes SGLang accepts for this model: powers of two dividing the heads."""
    heads = profile["num_attention_heads"]
    sizes = []
    tp = 1
    while tp <= limit:
        if heads % tp == 0:
            sizes.append(tp)
        tp *= 2
    return sizes


def memory_plan(profile, gpus, tp, quantization, hybrid, ratio, fraction_arg, multimodal,
                speculative):
    """Per-GPU memory arithmetic for one candidate configuration. Returns a dict of numbers."""
    gpu_mib = gpus["memory_mib"]
    free_mib = gpu_mib - hardware.RUNTIME_OVERHEAD_MIB
    eagle = profile["eagle3"] if speculative == "eagle3" else None
    weights = model_profiles.weight_bytes(profile, quantization)
    draft = 2 * eagle["draft_params"] if eagle else 0
    weights_per_gpu = (weights + draft) / tp
    if fraction_arg == "auto":
        fraction, reserved_mib = auto_mem_fraction(
            gpu_mib, tp, profile, multimodal, eagle["cuda_graph_max_bs"] if eagle else None)
        if eagle:
            fraction = min(fraction, eagle["mem_fraction_static"])
    else:
        fraction, reserved_mib = fraction_arg, None
    mm_reserve = 100 * MIB if multimodal else 0
    budget = fraction * free_mib * MIB - weights_per_gpu - mm_reserve
    kv_heads_per_gpu = max(1, profile["num_kv_heads"] // tp)
    per_layer = 2 * kv_heads_per_gpu * profile["head_dim"] * KV_DTYPE_BYTES
    global_layers, local_layers = model_profiles.layer_split(profile, hybrid)
    draft_layers = eagle["draft_layers"] if eagle else 0
    cell = per_layer * (global_layers + draft_layers) + (ratio if hybrid else 0) * per_layer * local_layers
    pool = int(budget // cell) if budget > 0 else 0
    return {
        "gpu_mib": gpu_mib, "free_mib": free_mib, "fraction": round(fraction, 3),
        "reserved_mib": reserved_mib, "weights_bytes": weights + draft,
        "weights_per_gpu": weights_per_gpu, "budget": budget, "cell_per_gpu": cell,
        "per_layer": per_layer, "global_layers": global_layers, "local_layers": local_layers,
        "kv_pool_tokens": pool, "mm_reserve": mm_reserve,
    }


def max_running_requests(pool, context):
    """SGLang's request-slot estimate: pool / context x 512, clamped to 2048..4096, <= pool / 2."""
    estimate = max(min(int(pool / max(context, 1) * 512), 4096), 2048)
    return max(1, min(estimate, pool // 2))


def max_context(mem, profile, requests="auto"):
    """The longest context one request can hold, counting the request table; capped by the
    model's max positions. `requests` is the given max_running_requests or "auto" (SGLang's
    estimate). Returns (tokens, request slots)."""
    budget, cell = mem["budget"], mem["cell_per_gpu"]
    if budget <= 0:
        return 0, 0
    fixed = requests != "auto"
    slots = min(requests, max(1, mem["kv_pool_tokens"] // 2)) if fixed else 2048
    context = 0
    for _ in range(4):  # slots depend on context and context on slots; this settles in 2 steps
        context = int(budget // (cell + (slots + 1) * REQ_TABLE_ENTRY_BYTES))
        if not fixed:
            slots = max_running_requests(mem["kv_pool_tokens"], context)
    return min(context, profile["max_position_embeddings"]), slots


def requests_that_fit(mem, context):
    """The most request slots with which one `context`-token request still fits, or 0."""
    room = mem["budget"] - context * mem["cell_per_gpu"]
    return max(0, int(room // (REQ_TABLE_ENTRY_BYTES * context)) - 1)


def _gib(value):
    return value / GIB


# ------------------------------------------------------------------------------------ planning

def plan_launch(raw_args, host="this host", path_exists=os.path.exists, read_file=None):
    """Plan one host. Returns {'argv', 'command', 'plan'}; raises PlanError with the reason."""
    args = validate_arguments(raw_args, host)
    gpus = args["gpus"]
    profile = resolve_model(args, host, path_exists, read_file)
    reasons = []
    fam = hardware.family_row(gpus["family"])
    label = "%d x %s (%s MiB)" % (gpus["count"], gpus["family"], gpus["memory_mib"])

    # --- options the model must support
    if args["multimodal"] and not profile.get("multimodal_capable"):
        raise PlanError("%s: multimodal=true but %s has no vision encoder; set multimodal=false"
                        % (host, profile["model_id"]))
    if args["speculative"] == "eagle3" and not profile.get("eagle3_draft"):
        raise PlanError("%s: speculative=eagle3 but no EAGLE3 draft is known for %s; known "
                        "drafts: %s" % (host, profile["model_id"], ", ".join(
                            "%s -> %s" % (k, v["eagle3_draft"])
                            for k, v in sorted(model_profiles.PROFILES.items()))))
    hybrid_default = bool(profile.get("hybrid_kv_default"))
    hybrid = hybrid_default if args["hybrid_kv"] is None else args["hybrid_kv"]
    if hybrid and not hybrid_default:
        raise PlanError("%s: hybrid_kv=true but SGLang pools %s (%s) as one full-attention cache; "
                        "the hybrid pool exists for Llama4ForConditionalGeneration only: set "
                        "hybrid_kv=false or leave it unset" % (
                            host, profile["model_id"], profile["architecture"]))

    # --- quantization
    checkpoint_fp8 = profile["checkpoint_dtype"] == "fp8-experts"
    quant = args["quantization"]
    if checkpoint_fp8:
        if quant == "bf16":
            raise PlanError("%s: quantization=bf16 but %s is an FP8 checkpoint; use the BF16 "
                            "checkpoint %s or quantization=auto" % (
                                host, profile["model_id"], profile["model_id"][:-4]))
        quant_effective = "fp8"
    else:
        quant_effective = "bf16" if quant == "auto" else quant
    if quant_effective == "fp8" and not hardware.supports_fp8(gpus):
        raise PlanError("%s: quantization=fp8 needs compute capability >= 8.9 (Hopper, Ada, "
                        "Blackwell) or an MI300-class AMD GPU; %s has %s. Use quantization=bf16"
                        % (host, gpus["family"], gpus.get("compute_capability") or "none"))

    # --- tensor parallel size
    world = gpus["count"] * args["nnodes"]
    sizes = valid_tp_sizes(profile, world)
    tp = sizes[-1]
    if args["nnodes"] > 1 and tp != world:
        raise PlanError("%s: nnodes=%d x %d GPUs = %d, which is not a tensor-parallel size %s "
                        "accepts (%s)" % (host, args["nnodes"], gpus["count"], world,
                                          profile["model_id"], ", ".join(map(str, sizes))))

    def evaluate(q, tp_size, gpus_=gpus):
        return memory_plan(profile, gpus_, tp_size, q, hybrid, args["swa_full_tokens_ratio"],
                           args["mem_fraction_static"], args["multimodal"], args["speculative"])

    mem = evaluate(quant_effective, tp)
    if mem["budget"] <= 0:
        raise PlanError("%s: %s does not fit on %s: weights need %.1f GiB per GPU at tp %d, and "
                        "SGLang may use %.3f x %.1f GiB = %.1f GiB per GPU. Ways out: %s" % (
                            host, profile["model_id"], label, _gib(mem["weights_per_gpu"]), tp,
                            mem["fraction"], mem["free_mib"] / 1024,
                            mem["fraction"] * mem["free_mib"] / 1024,
                            _ways_out(profile, gpus, args, quant_effective, evaluate)))
    if tp == world:
        reasons.append("tp %d: all %d GPU(s)%s; weights %.1f GiB/GPU fit under %.3f x %.1f GiB" % (
            tp, world, " over %d nodes" % args["nnodes"] if args["nnodes"] > 1 else "",
            _gib(mem["weights_per_gpu"]), mem["fraction"], mem["free_mib"] / 1024))
    else:
        reasons.append("tp %d: %d GPUs is not a size %s accepts (%d heads); using %d; weights "
                       "%.1f GiB/GPU" % (tp, world, profile["model_id"],
                                         profile["num_attention_heads"], tp,
                                         _gib(mem["weights_per_gpu"])))

    backend, why_backend = hardware.attention_backend_for(gpus)
    if args["attention_backend"] != "auto":
        why_backend = "given (SGLang would pick %s: %s)" % (backend, why_backend)
        backend = args["attention_backend"]
    reasons.append("attention backend %s: %s" % (backend, why_backend))
    if quant_effective == "fp8":
        reasons.append("quantization fp8: %s" % (
            "FP8 checkpoint (routed experts stored in FP8)" if checkpoint_fp8 else
            "online FP8 of the BF16 checkpoint (--quantization fp8)"))
    else:
        reasons.append("quantization bf16: the checkpoint's own precision%s" % (
            " (auto keeps it; quantization=fp8 halves the weights)" if quant == "auto" else ""))

    if mem["reserved_mib"] is not None:
        reasons.append("mem_fraction_static %.3f: SGLang's rule (%d MiB - %d MiB reserve) / %d MiB%s%s"
                       % (mem["fraction"], mem["gpu_mib"], mem["reserved_mib"], mem["gpu_mib"],
                          ", scaled for the vision encoder" if args["multimodal"] else "",
                          ", capped at 0.75 for EAGLE3" if args["speculative"] == "eagle3" else ""))
    else:
        reasons.append("mem_fraction_static %.3f: given" % mem["fraction"])

    kv_bytes_per_token = int(mem["cell_per_gpu"] * min(tp, profile["num_kv_heads"]))
    if hybrid:
        reasons.append("KV cache hybrid: %d global layers x %d B + %.2f x %d local layers x %d B = "
                       "%d B/token/GPU (local layers hold at most %d tokens a request)" % (
                           mem["global_layers"], mem["per_layer"], args["swa_full_tokens_ratio"],
                           mem["local_layers"], mem["per_layer"], mem["cell_per_gpu"],
                           profile["attention_chunk_size"]))
    else:
        reasons.append("KV cache: %d layers x %d B = %d B/token/GPU" % (
            mem["global_layers"] + (profile["eagle3"]["draft_layers"]
                                    if args["speculative"] == "eagle3" else 0),
            mem["per_layer"], mem["cell_per_gpu"]))
    reasons.append("KV pool %d tokens: (%.3f x %.1f GiB free - %.1f GiB weights%s) / %d B" % (
        mem["kv_pool_tokens"], mem["fraction"], mem["free_mib"] / 1024,
        _gib(mem["weights_per_gpu"]), " - 0.1 GiB image cache" if mem["mm_reserve"] else "",
        mem["cell_per_gpu"]))

    longest, slots = max_context(mem, profile, args["max_running_requests"])
    if hybrid:
        swa_pool = int(mem["kv_pool_tokens"] * args["swa_full_tokens_ratio"])
        if swa_pool < profile["attention_chunk_size"] * 2:
            raise PlanError("%s: swa_full_tokens_ratio=%s leaves %d local-layer tokens, fewer than "
                            "two %d-token attention chunks; raise it (0.1 or more usually works)"
                            % (host, args["swa_full_tokens_ratio"], swa_pool,
                               profile["attention_chunk_size"]))
    if longest < MIN_CONTEXT:
        raise PlanError("%s: after %.1f GiB of weights per GPU the KV pool holds %d tokens, less "
                        "than %d; Ways out: %s" % (
                            host, _gib(mem["weights_per_gpu"]), mem["kv_pool_tokens"], MIN_CONTEXT,
                            _ways_out(profile, gpus, args, quant_effective, evaluate)))
    if args["context_length"] == "auto":
        context = longest if longest == profile["max_position_embeddings"] else longest // 1024 * 1024
        reasons.append("context %d (auto): %s" % (context, _context_reason(
            longest, profile, slots, mem)))
    else:
        context = args["context_length"]
        if context > profile["max_position_embeddings"]:
            raise PlanError("%s: context_length=%d is above %s's max positions %d" % (
                host, context, profile["model_id"], profile["max_position_embeddings"]))
        if context > longest:
            fitting_slots = requests_that_fit(mem, context)
            combo = ""
            if hybrid and not fitting_slots and args["swa_full_tokens_ratio"] > 0.1:
                narrow = memory_plan(profile, gpus, tp, quant_effective, hybrid, 0.1,
                                     args["mem_fraction_static"], args["multimodal"],
                                     args["speculative"])
                narrow_slots = requests_that_fit(narrow, context)
                if narrow_slots:
                    combo = (", swa_full_tokens_ratio=0.1 with max_running_requests<=%d"
                             % narrow_slots)
            raise PlanError("%s: context_length=%d does not fit: one request of that length plus "
                            "the request table (%d slots x context x 4 B) needs more than the "
                            "%.1f GiB KV budget per GPU; the most that fits is %d. Ways out: "
                            "context_length<=%d%s%s%s, more GPUs, or quantization=fp8" % (
                                host, context, slots, _gib(mem["budget"]), longest, longest,
                                ", max_running_requests<=%d" % fitting_slots if fitting_slots else "",
                                _ratio_hint(hybrid, mem, context, slots, args), combo))
        reasons.append("context %d (given): fits, the most that fits is %d" % (context, longest))

    argv = _argv(args, profile, gpus, tp, backend, quant_effective, checkpoint_fp8, context,
                 mem["fraction"], hybrid, hybrid_default, host)
    if args["multimodal"]:
        reasons.append("multimodal: --enable-multimodal (SGLang leaves Llama 4 image input off "
                       "without it)")
    if args["tool_calling"]:
        reasons.append("tool calling: --tool-call-parser %s" % profile["tool_call_parser"])
    if args["speculative"] == "eagle3":
        reasons.append("EAGLE3 draft %s: 3 steps, topk 1, 4 draft tokens, CUDA graphs up to "
                       "batch 2 (draft understands chat-formatted requests only)" % profile[
                           "eagle3_draft"])

    served = args["served_model_name"] or _served_name(args["model"])
    plan = {
        "model": profile["model_id"] if not args["model"].startswith(("/", ".", "~")) else args["model"],
        "model_profile": profile["model_id"],
        "served_model_name": served,
        "gpus": "%d x %s" % (gpus["count"], gpus["name"]),
        "gpu_family": gpus["family"],
        "gpu_count": gpus["count"],
        "tp_size": tp,
        "nnodes": args["nnodes"],
        "node_rank": args["node_rank"],
        "attention_backend": backend,
        "quantization": quant_effective,
        "context_length": context,
        "max_context_length": longest,
        "kv_pool_tokens": mem["kv_pool_tokens"],
        "kv_bytes_per_token": kv_bytes_per_token,
        "kv_bytes_per_token_per_gpu": int(mem["cell_per_gpu"]),
        "hybrid_kv": hybrid,
        "swa_full_tokens_ratio": args["swa_full_tokens_ratio"] if hybrid else None,
        "weights_gib_per_gpu": round(_gib(mem["weights_per_gpu"]), 2),
        "mem_fraction_static": mem["fraction"],
        "max_running_requests_estimate": slots,
        "multimodal": args["multimodal"],
        "tool_calling": args["tool_calling"],
        "speculative": args["speculative"],
        "eagle3_draft": profile.get("eagle3_draft") if args["speculative"] == "eagle3" else None,
        "active_params": profile.get("active_params"),
        "bandwidth_tbps": fam.get("bandwidth_tbps"),
        "host": args["host"],
        "port": args["port"],
        "sglang_version": args["sglang_version"],
        "extra_args": list(args["extra_args"]),
        "reasons": reasons,
    }
    command = " ".join(shlex.quote(a) for a in ["python3", "-m", "sglang.launch_server"] + argv)
    return {"argv": argv, "command": command, "plan": plan}


def _served_name(model):
    if model.startswith(("/", ".", "~")):
        return model.rstrip("/").split("/")[-1]
    return model


def _context_reason(longest, profile, slots, mem):
    if longest == profile["max_position_embeddings"]:
        return "the model's max positions; the pool would allow more"
    return ("the longest one request can hold with the request table (%d slots x 4 B a "
            "position) beside it, rounded down to 1024" % slots)


def _ratio_hint(hybrid, mem, context, slots, args):
    """With the hybrid pool, the swa_full_tokens_ratio at which `context` would fit, if any."""
    if not hybrid or not mem["local_layers"]:
        return ""
    room = mem["budget"] - (slots + 1) * REQ_TABLE_ENTRY_BYTES * context
    full = mem["per_layer"] * mem["global_layers"]
    if room <= 0:
        return ""
    ratio = (room / context - full) / (mem["per_layer"] * mem["local_layers"])
    if ratio <= 0 or ratio >= args["swa_full_tokens_ratio"]:
        return ""
    ratio = math.floor(ratio * 100) / 100
    if ratio <= 0:
        return ""
    return ", swa_full_tokens_ratio<=%.2f (smaller local-layer pool)" % ratio


def _ways_out(profile, gpus, args, quant, evaluate):
    ways = []
    if quant != "fp8" and hardware.supports_fp8(gpus):
        if evaluate("fp8", valid_tp_sizes(profile, gpus["count"])[-1])["budget"] > 0:
            ways.append("quantization=fp8 (online FP8)")
    fp8_id = profile["model_id"] + "-FP8"
    if model_profiles.lookup(fp8_id) and quant != "fp8":
        ways.append("the FP8 checkpoint %s" % fp8_id)
    if gpus["vendor"] == "nvidia":
        for bigger in ("H200", "B200"):
            row = hardware.family_row(bigger)
            # memory as nvidia-smi reports it for that family (hardware.FAMILIES)
            variant = dict(gpus, family=bigger, memory_mib=row["memory_mib"],
                           compute_capability=row["compute_capability"])
            if variant["memory_mib"] > gpus["memory_mib"] and evaluate(
                    quant, valid_tp_sizes(profile, gpus["count"])[-1], variant)["budget"] > 0:
                ways.append("%d x %s" % (gpus["count"], bigger))
                break
    for nodes in (2, 4):
        tp = valid_tp_sizes(profile, gpus["count"] * nodes)[-1]
        if tp == gpus["count"] * nodes and evaluate(quant, tp)["budget"] > 0:
            ways.append("nnodes=%d (tp %d over %d hosts)" % (nodes, tp, nodes))
            break
    return ", ".join(ways) if ways else "none on this hardware: a larger GPU or more nodes"


def _argv(args, profile, gpus, tp, backend, quant, checkpoint_fp8, context, fraction, hybrid,
          hybrid_default, host):
    argv = ["--model-path", args["model"],
            "--served-model-name", args["served_model_name"] or _served_name(args["model"]),
            "--host", args["host"], "--port", str(args["port"]),
            "--tp", str(tp)]
    if args["nnodes"] > 1:
        argv += ["--nnodes", str(args["nnodes"]), "--node-rank", str(args["node_rank"]),
                 "--dist-init-addr", args["dist_init_addr"]]
    if gpus["vendor"] == "intel":
        argv += ["--device", "xpu"]
    argv += ["--attention-backend", backend]
    if quant == "fp8" and not checkpoint_fp8:
        argv += ["--quantization", "fp8"]
    argv += ["--context-length", str(context), "--mem-fraction-static", "%g" % fraction]
    if args["max_running_requests"] != "auto":
        argv += ["--max-running-requests", str(args["max_running_requests"])]
    if hybrid:
        argv += ["--swa-full-tokens-ratio", "%g" % args["swa_full_tokens_ratio"]]
    elif hybrid_default:
        argv += ["--disable-hybrid-swa-memory"]
    argv += ["--chat-template", profile["chat_template"]]
    if args["multimodal"]:
        argv += ["--enable-multimodal"]
    if args["tool_calling"]:
        argv += ["--tool-call-parser", profile["tool_call_parser"]]
    if args["speculative"] == "eagle3":
        eagle = profile["eagle3"]
        argv += ["--speculative-algorithm", "EAGLE3",
                 "--speculative-draft-model-path", profile["eagle3_draft"],
                 "--speculative-num-steps", str(eagle["num_steps"]),
                 "--speculative-eagle-topk", str(eagle["eagle_topk"]),
                 "--speculative-num-draft-tokens", str(eagle["num_draft_tokens"]),
                 flag_for("cuda_graph_max_bs", args["sglang_version"]),
                 str(eagle["cuda_graph_max_bs"])]
    planned = {a.split("=", 1)[0] for a in argv if a.startswith("--")}
    for extra in args["extra_args"]:
        flag = extra.split("=", 1)[0]
        if flag in planned:
            raise PlanError("%s: extra_args repeats the planned flag %s; change the matching "
                            "launch_plan argument instead (planned: %s)" % (
                                host, flag, " ".join(sorted(planned))))
        if flag in ("--api-key", "--admin-api-key", "--hf-token"):
            raise PlanError("%s: extra_args must not carry %s: process arguments are readable by "
                            "every user; secrets go through the service's root-only config file"
                            % (host, flag))
    return argv + list(args["extra_args"])
