# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The launch planner: GPU facts + model + options -> SGLang arguments and the arithmetic behind them.

Pure functions, no Ansible imports: the launch_plan and fleet_plan action plugins and the unit tests
call plan_launch() directly. plan_launch is a pipeline of small steps (capabilities ->
quantization -> tp -> attention backend -> memory -> context -> argv -> extra-args check), each
returning its value and the reasons for it; every decision adds one line to `reasons`.

Memory: sglang_memory holds SGLang's own rules in its order (free before load -> what loads ->
KV pool -> request table, CUDA graphs and activations from what is left); kv_planner chooses the
context, request slots, SWA ratio and memory fraction together from them. Hardware and models are
rows of hardware.py and model_profiles.py; nothing here names a vendor, a family or a model.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math
import os
import re
import shlex

from ansible_collections.llmops.sglang.plugins.module_utils import (
    hardware, kv_planner, model_profiles, safe_text, sglang_memory, sglang_options)

GIB = sglang_memory.GIB
MIB = sglang_memory.MIB
MIN_CONTEXT = kv_planner.MIN_CONTEXT
# the releases whose own parser the flags are checked against (sglang_options holds their options)
SUPPORTED_SGLANG_VERSIONS = tuple(sglang_options.versions())

# SGLang options that carry secrets (never on a command line: every user can read it), and the
# one the service owns (its own --config file holds the plan)
SECRET_DESTS = ("api_key", "admin_api_key", "ssl_keyfile_password")
SERVICE_DESTS = ("config",)
# what the plan decides even where its argv leaves SGLang's default (an extra --nnodes 2 or
# --quantization fp8 would silently change a plan that did not write them)
PLAN_DESTS = ("model_path", "served_model_name", "host", "port", "tp_size", "nnodes", "node_rank",
              "dist_init_addr", "device", "attention_backend", "quantization", "context_length",
              "mem_fraction_static", "max_running_requests", "swa_full_tokens_ratio",
              "disable_hybrid_swa_memory", "chat_template", "enable_multimodal", "tool_call_parser",
              "speculative_algorithm", "speculative_draft_model_path", "speculative_num_steps",
              "speculative_eagle_topk", "speculative_num_draft_tokens", "cuda_graph_max_bs",
              "cuda_graph_max_bs_decode", "pp_size", "dp_size", "ep_size", "enable_metrics",
              "enable_metrics_for_all_schedulers")
# planned options that follow a launch argument other than their own name
PLANNED_BY = {"enable_metrics": "sglang_metrics", "enable_metrics_for_all_schedulers": "sglang_metrics"}

# Flags SGLang renamed: (first version with the new name, new flag, older flag). Checked against
# both pinned versions' own parsers (tests/unit/test_sglang_parser.py).
RENAMED_FLAGS = {
    "cuda_graph_max_bs": ((0, 5, 23), "--cuda-graph-max-bs-decode", "--cuda-graph-max-bs"),
}


version_tuple = sglang_memory.version_tuple


def flag_for(name, version):
    since, new, old = RENAMED_FLAGS[name]
    return new if version_tuple(version) >= since else old


REQUIRED_GPU_KEYS = ("vendor", "count", "name", "family", "memory_mib", "compute_capability")
# the default of an argument that must be given (to the task or by its inventory variable)
REQUIRED = "(required)"

# The single list of launch_plan's arguments: (name, default, kind, allowed). VALIDATORS checks
# each kind; the module's documentation (tests/unit/test_launch_plan_arguments.py keeps it equal),
# launch_plan and fleet_plan read this list. Each name is also an inventory variable
# `sglang_<name>` (sglang_version keeps its own name).
ARGUMENTS = (
    ("gpus", REQUIRED, "gpus", None),
    ("model", REQUIRED, "model", None),
    ("model_profile", None, "str", None),
    ("model_config", None, "config", None),
    ("quantization", "auto", "choice", ("auto", "bf16", "fp8")),
    ("context_length", "auto", "auto_or_context", None),
    ("multimodal", False, "bool", None),
    ("tool_calling", False, "bool", None),
    ("metrics", True, "bool", None),
    ("speculative", "none", "choice", ("none", "eagle3")),
    ("hybrid_kv", None, "bool", None),
    ("swa_full_tokens_ratio", "auto", "auto_or_ratio", None),
    ("mem_fraction_static", "auto", "auto_or_fraction", None),
    ("max_running_requests", "auto", "auto_or_count", None),
    ("attention_backend", "auto", "choice", ("auto",) + model_profiles.attention_backends()),
    ("host", "127.0.0.1", "host", None),
    ("port", 30000, "port", None),
    ("tp_size", "auto", "auto_or_tp", None),
    ("replicas_per_host", 1, "replicas", None),
    ("served_model_name", None, "str", None),
    ("nnodes", 1, "nodes", None),
    ("node_rank", 0, "rank", None),
    ("dist_init_addr", None, "str", None),
    ("extra_args", [], "list_of_str", None),
    ("sglang_version", "0.5.23", "version", None),
)
ARGUMENT_NAMES = tuple(a[0] for a in ARGUMENTS)


def inventory_variable(name):
    """The inventory variable that feeds a launch_plan argument."""
    return name if name.startswith("sglang_") else "sglang_" + name


class PlanError(ValueError):
    """Bad input or a plan that cannot fit; the message is meant for the user as it is."""


# ------------------------------------------------------------------------------------ model path

def is_local_model(model):
    """The one definition of a local model folder: an absolute path. Anything else is a hub id
    (validate_arguments refuses ~ and relative paths)."""
    return isinstance(model, str) and model.startswith("/")


_NOT_ABSOLUTE = ("~", "./", "../")


def _model(name, value, host, allowed=None, args=None):
    text = _text(name, value, host, allowed)
    if text.startswith(_NOT_ABSOLUTE) or text in (".", ".."):
        # the controller, root on the host (which reads the folder) and the service user (which
        # serves it) each read ~ and the working folder differently
        name = text.rstrip("/").split("/")[-1].lstrip("~").strip(".") or "model"
        raise PlanError("%s: model=%r is not an absolute path: ~ and relative paths name other "
                        "folders for the controller, for root on the host and for the service "
                        "user; give the folder's absolute path on the host, e.g. /srv/models/%s"
                        % (host, value, name))
    return text


# ------------------------------------------------------------------------------------ validation

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _bool(name, value, host, allowed=None, args=None):
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


def _text(name, value, host, allowed=None, args=None):
    if not isinstance(value, str) or not value.strip():
        raise PlanError("%s: %s=%r must be a non-empty string" % (host, name, value))
    return value.strip()


def _choice(name, value, host, allowed, args=None):
    text = str(value).strip().lower()
    if text not in allowed:
        raise PlanError("%s: %s=%r is not allowed: use one of %s" % (
            host, name, value, ", ".join(allowed)))
    return text


def _auto_or(check):
    """A validator that takes 'auto' or what `check` takes."""
    def validate(name, value, host, allowed=None, args=None):
        if str(value).strip().lower() == "auto":
            return "auto"
        return check(name, value, host)
    return validate


def _host(name, value, host, allowed=None, args=None):
    text = str(value).strip()
    if not (_HOST_RE.match(text) or (":" in text and _IPV6_RE.match(text))):
        raise PlanError("%s: host=%r is not an IP address or host name" % (host, value))
    return text


def _list_of_str(name, value, host, allowed=None, args=None):
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        # not echoed: '-e sglang_extra_args=--api-key=KEY' arrives as one string
        raise PlanError("%s: extra_args must be a list of strings, e.g. ['--enable-cache-report'], "
                        "got a %s" % (host, safe_text.kind_of(value)))
    return [str(v) for v in value]


def _version(name, value, host, allowed=None, args=None):
    text = str(value).strip()
    if not _VERSION_RE.match(text):
        raise PlanError("%s: sglang_version=%r is not a release number such as 0.5.23" % (host, value))
    if text not in SUPPORTED_SGLANG_VERSIONS:
        raise PlanError("%s: sglang_version=%r is not a release whose launch flags this collection "
                        "checks; supported: %s" % (host, value, ", ".join(SUPPORTED_SGLANG_VERSIONS)))
    return text


# kind -> validator(name, value, host, allowed, the arguments checked so far): the normalised
# value, or PlanError
VALIDATORS = {
    "gpus": lambda name, value, host, allowed, args: _validate_gpus(value, host),
    "model": _model,
    "str": _text,
    "config": lambda name, value, host, allowed, args: _config_mapping(
        name, value, args["model"], host),
    "choice": _choice,
    "bool": _bool,
    "auto_or_context": _auto_or(lambda n, v, h: _int(
        n, v, h, minimum=MIN_CONTEXT, maximum=100_000_000, what="'auto' or a whole number of tokens")),
    "auto_or_count": _auto_or(lambda n, v, h: _int(
        n, v, h, minimum=1, maximum=65536, what="'auto' or a whole number of requests")),
    "auto_or_fraction": _auto_or(lambda n, v, h: _float(n, v, h, 0.0, 0.99, low_open=True)),
    "auto_or_ratio": _auto_or(lambda n, v, h: _float(n, v, h, 0.0, 1.0, low_open=True)),
    "host": _host,
    "port": lambda name, value, host, allowed, args: _int(
        name, value, host, minimum=1, maximum=65535, what="a TCP port"),
    "nodes": lambda name, value, host, allowed, args: _int(name, value, host, minimum=1, maximum=64),
    "auto_or_tp": _auto_or(lambda n, v, h: _int(
        n, v, h, minimum=1, maximum=64, what="'auto' or a tensor-parallel size")),
    "replicas": lambda name, value, host, allowed, args: _int(
        name, value, host, minimum=1, maximum=64, what="a whole number of SGLang servers"),
    "rank": lambda name, value, host, allowed, args: _int(name, value, host, minimum=0, maximum=63),
    "list_of_str": _list_of_str,
    "version": _version,
}


def validate_arguments(raw, host="this host"):
    """Check and normalise launch_plan arguments (VALIDATORS per kind, then the checks that join
    several). Returns a new dict; raises PlanError."""
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
        if value is None and default == REQUIRED:
            raise PlanError("%s: %s is required (inventory variable %s)" % (
                host, name, inventory_variable(name)))
        if value is None:
            value = list(default) if isinstance(default, list) else default
        args[name] = None if value is None else VALIDATORS[kind](name, value, host, allowed, args)
    for check in CROSS_CHECKS:
        check(args, host)
    return args


# served model names travel in URLs, JSON and lm-eval's "key=value,key=value" model_args
_SERVED_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/:@+-]{0,199}\Z")
# arguments that become the value of an SGLang option (a value starting with '-' would be read
# as another option, e.g. served_model_name='--api-key')
OPTION_VALUE_ARGUMENTS = ("model", "served_model_name", "host", "dist_init_addr")


def _refuse_option_like_values(args, host):
    for name in OPTION_VALUE_ARGUMENTS:
        if isinstance(args.get(name), str) and args[name].startswith("-"):
            raise PlanError("%s: %s=%r starts with '-': SGLang would read it as an option; give "
                            "a name, path or address" % (host, name, args[name]))


def _refuse_control_characters(args, host):
    for name, value in args.items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not safe_text.is_printable(text):
                raise PlanError("%s: %s=%r holds a control or format character (newline, tab, "
                                "escape, bidi or zero-width); only printable text is allowed" % (
                                    host, name, text))


def _check_served_name(args, host):
    if args["served_model_name"] is not None and not _SERVED_NAME_RE.match(args["served_model_name"]):
        raise PlanError("%s: served_model_name=%r: allowed are letters, digits and . _ / : @ + -, "
                        "at most 200 (clients and lm-eval's comma-separated model_args carry it)"
                        % (host, args["served_model_name"]))


def _check_ranks(args, host):
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


def _check_ports(args, host):
    last = args["port"] + args["replicas_per_host"] - 1
    if last > 65535:
        raise PlanError("%s: port=%d with replicas_per_host=%d needs ports up to %d, past 65535; "
                        "use a lower port" % (host, args["port"], args["replicas_per_host"], last))


# the checks that join several arguments, in this order
CROSS_CHECKS = (_refuse_control_characters, _refuse_option_like_values, _check_served_name,
                _check_ranks, _check_ports)


def _validate_gpus(gpus, host):
    if not isinstance(gpus, dict):
        raise PlanError("%s: gpus must be the dict gpu_facts returns, got the %s %s" % (
            host, safe_text.kind_of(gpus), _short(gpus)))
    missing = [k for k in REQUIRED_GPU_KEYS if k not in gpus]
    if missing:
        raise PlanError("%s: gpus is missing %s (needs %s; run llmops.sglang.gpu_facts or set "
                        "sglang_gpus)" % (host, ", ".join(missing), ", ".join(REQUIRED_GPU_KEYS)))
    out = dict(gpus)
    for key in ("vendor", "name", "family", "compute_capability"):
        if not (isinstance(gpus[key], str) and gpus[key].strip()
                and safe_text.is_printable(gpus[key])):
            raise PlanError("%s: gpus.%s=%s must be non-empty printable text (as gpu_facts "
                            "returns it)" % (host, key, _short(gpus[key])))
    driver = gpus.get("driver_version", "")
    if not (isinstance(driver, str) and len(driver) <= 64 and safe_text.is_printable(driver)):
        raise PlanError("%s: gpus.driver_version=%s must be printable text of at most 64 "
                        "characters, e.g. 580.95.05 (as gpu_facts returns it)" % (host, _short(driver)))
    out["count"] = _int("gpus.count", gpus["count"], host, minimum=1, maximum=64)
    out["memory_mib"] = _int("gpus.memory_mib", gpus["memory_mib"], host, minimum=1024,
                             maximum=4 * 1024 * 1024)
    if out["vendor"] not in hardware.VENDORS:
        raise PlanError("%s: gpus.vendor=%r is not supported: %s" % (
            host, gpus["vendor"], ", ".join(hardware.VENDORS)))
    return out


def _config_mapping(name, value, model, host):
    """A model's config.json: the parsed mapping, or its text as read from the host."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise PlanError("%s: %s (the config.json of model=%r) is not valid JSON (%s)" % (
                host, name, model, exc))
    if not isinstance(value, dict):
        raise PlanError("%s: %s (the config.json of model=%r) must be a JSON object, got a %s" % (
            host, name, model, safe_text.kind_of(value)))
    return value


def _short(value, limit=80):
    """repr of a value for a message, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# ------------------------------------------------------------------------------------ extra args

def _per_server(dest):
    """What extra_args may not set when a host runs several servers: every server would get the
    same GPUs or the same fixed port."""
    return dest in ("base_gpu_id", "gpu_id_step") or dest.endswith("_port")


def _check_extra_args(extra, planned_argv, version, host, servers=1):
    """extra_args may hold only exact option names of this SGLang release (argparse would also
    take a prefix or an alias, so `--api-ke` or `--tensor-parallel-size` could carry a secret or
    override the plan), each with the values its kind takes; no option may set what the plan sets,
    a secret, or the service's own --config."""
    table = sglang_options.options(version)
    planned = dict.fromkeys(PLAN_DESTS)
    planned.update({table[a][0]: a for a in planned_argv if a in table})
    i = 0
    while i < len(extra):
        option, has_value = extra[i].split("=", 1)[0], "=" in extra[i]
        if not option.startswith("-") or _NUMBER_RE.match(option):  # not echoed: may be a secret
            raise PlanError("%s: extra_args[%d] (not shown: it may be a secret) is a value without "
                            "an option before it that takes one; allowed: SGLang %s's exact "
                            "option names (--name or --name=value), each followed by its values"
                            % (host, i, version))
        if option not in table:
            raise PlanError("%s: extra_args[%d]=%r is not an option of SGLang %s%s; allowed: its "
                            "exact option names (--name or --name=value), each followed by its "
                            "values" % (host, i, option, version, _near(option, table)))
        dest, kind = table[option]
        _refuse_planned(host, i, option, dest, planned)
        if servers > 1 and _per_server(dest):
            raise PlanError("%s: extra_args[%d]=%r with replicas_per_host=%d: every server of the "
                            "host would get the same %s; the plan gives each server its own GPUs "
                            "(--base-gpu-id) and port" % (host, i, option, servers, dest))
        i += 1
        if kind == "flag" and has_value:
            raise PlanError("%s: extra_args[%d]=%r: %s takes no value" % (host, i - 1, option, option))
        if has_value or kind == "flag":
            continue
        values = 0
        while i < len(extra) and _is_value(extra[i]) and (values == 0 or kind == "many"):
            i, values = i + 1, values + 1
        if kind == "one" and values == 0:
            raise PlanError("%s: extra_args[%d]=%r needs a value after it" % (host, i - 1, option))


_NUMBER_RE = re.compile(r"^-\d")


def _is_value(token):
    """argparse reads '-1' as a value, '-x' and '--x' as options."""
    return not token.startswith("-") or bool(_NUMBER_RE.match(token))


def _refuse_planned(host, index, option, dest, planned):
    if dest in SECRET_DESTS:
        raise PlanError("%s: extra_args[%d]=%r carries a secret: process arguments are readable "
                        "by every user; secrets go through the service's root-only files "
                        "(sglang_api_key)" % (host, index, option))
    if dest in SERVICE_DESTS:
        raise PlanError("%s: extra_args[%d]=%r: the service passes its own %s; set the launch "
                        "arguments instead" % (host, index, option, option))
    if dest in PLANNED_BY:
        raise PlanError("%s: extra_args[%d]=%r: the plan sets %s from %s; set that instead"
                        % (host, index, option, dest, PLANNED_BY[dest]))
    if dest in planned and planned[dest]:
        raise PlanError("%s: extra_args[%d]=%r sets what the plan sets with %s; change the "
                        "matching launch argument (sglang_*) instead" % (
                            host, index, option, planned[dest]))
    if dest in planned:
        raise PlanError("%s: extra_args[%d]=%r sets %s, which the plan decides (its memory "
                        "arithmetic assumes SGLang's default there); set the matching launch "
                        "argument (sglang_*) if there is one" % (host, index, option, dest))


def _near(option, table):
    """' (did you mean --x?)' for a prefix of exactly one option, so the fix is obvious."""
    longer = sorted(o for o in table if option.startswith("--") and o.startswith(option))
    return " (argparse would read it as %s; give the full name)" % longer[0] if len(longer) == 1 \
        else ""


# ------------------------------------------------------------------------------------ model

def resolve_model(args, host, path_exists=os.path.exists, read_file=None):
    """The profile for args['model']: from its config.json as read on the host (model_config), a
    known profile (model_profile, or the hub id itself), or a local folder whose config.json the
    controller can read."""
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
    if is_local_model(model):
        return _profile_from_folder(model, host, path_exists, read_file)
    profile = model_profiles.lookup(model)
    if profile is not None:
        return profile
    if _HUB_ID_RE.match(model):
        raise PlanError("%s: model=%r has no profile; known models: %s (or a local path with a "
                        "config.json)" % (host, model, ", ".join(model_profiles.known_models())))
    raise PlanError("%s: model=%r is neither a hub id (owner/name) nor a local path (/...)" % (
        host, model))


def _profile_from_folder(model, host, path_exists, read_file):
    """A local folder planned on the controller (plan.yml): its config.json must be readable here."""
    config_path = os.path.join(model, "config.json")
    if not path_exists(model):
        raise PlanError(
            "%s: model=%r is a local path that does not exist here; give a hub id (%s) or "
            "set model_profile to the profile of the weights stored there" % (
                host, model, ", ".join(model_profiles.known_models())))
    if not path_exists(config_path):
        raise PlanError("%s: model=%r has no config.json; a model folder needs one" % (host, model))
    try:
        text = read_file(config_path) if read_file else _read(config_path)
        return model_profiles.profile_from_hf_config(json.loads(text), model)
    except (ValueError, OSError) as exc:
        raise PlanError("%s: model=%r: cannot read its config.json: %s" % (host, model, exc))


def _read(path):
    with open(path) as handle:
        return handle.read()


# ------------------------------------------------------------------------------------ memory

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


def memory_basis(profile, gpus, tp, quantization, hybrid, args, backend):
    """kv_planner.basis for one candidate configuration (model, GPUs, tp, quantization)."""
    eagle = profile["eagle3"] if args["speculative"] == "eagle3" else None
    return kv_planner.basis(profile, gpus, tp, quantization, hybrid, args["multimodal"], eagle,
                            args["sglang_version"], args["mem_fraction_static"], backend)


def fits_at_all(b):
    """Whether the model fits these GPUs at all: a MIN_CONTEXT-token context with one request
    starts with the fraction the planner would choose (whether the options asked for fit is
    kv_planner.choose's question, refused later with its own numbers)."""
    b = dict(b, fraction_given=None)
    if b["free_mib"] - b["reserve_mib"] <= b["load"]["total"] / MIB:
        return False
    return kv_planner.evaluate(b, kv_planner.MIN_CONTEXT, 1,
                               kv_planner.DEFAULT_SWA_RATIO if b["hybrid"] else 0)["starts"]


def _gib(value):
    return value / GIB


# ------------------------------------------------------------------------------------ planning

def plan_launch(raw_args, host="this host", path_exists=os.path.exists, read_file=None):
    """Plan one host. Returns {'argv', 'command', 'plan'}; raises PlanError with the reason."""
    args = validate_arguments(raw_args, host)
    profile = resolve_model(args, host, path_exists, read_file)
    steps = {"capabilities": capabilities(args, profile, host),
             "quantization": quantization(args, profile, host),
             "tp": tensor_parallel(args, profile, host),
             "backend": attention_backend(args, profile, host)}
    # each server plans for its own GPUs (its refusals name them, and the ways out try them)
    server = args if args["replicas_per_host"] == 1 else dict(
        args, gpus=dict(args["gpus"], count=steps["tp"]["value"]), host_gpu_count=args["gpus"]["count"])
    steps["memory"] = memory(server, profile, steps, host)
    steps["context"] = context(server, profile, steps, host)
    argv = launch_argv(args, profile, steps)
    _check_extra_args(args["extra_args"], argv, args["sglang_version"], host, args["replicas_per_host"])
    argv += list(args["extra_args"])
    command = " ".join(shlex.quote(a) for a in ["python3", "-m", "sglang.launch_server"] + argv)
    return {"argv": argv, "command": command, "plan": plan_document(args, profile, steps)}


def capabilities(args, profile, host):
    """The options the model must support (images, an EAGLE3 draft, the hybrid pool); the
    hybrid pool on or off; the reasons for the features asked for."""
    if args["multimodal"] and not profile["multimodal_capable"]:
        raise PlanError("%s: multimodal=true but %s has no vision encoder; set multimodal=false"
                        % (host, profile["model_id"]))
    if args["speculative"] == "eagle3" and not profile["eagle3_draft"]:
        raise PlanError("%s: speculative=eagle3 but no EAGLE3 draft is known for %s; known "
                        "drafts: %s" % (host, profile["model_id"], ", ".join(
                            "%s -> %s" % (k, v["eagle3_draft"])
                            for k, v in sorted(model_profiles.PROFILES.items()))))
    hybrid_default = profile["hybrid_kv_default"]
    hybrid = hybrid_default if args["hybrid_kv"] is None else args["hybrid_kv"]
    if hybrid and not hybrid_default:
        raise PlanError("%s: hybrid_kv=true but SGLang pools %s (%s) as one full-attention cache; "
                        "the hybrid pool exists for %s only: set hybrid_kv=false or leave it unset"
                        % (host, profile["model_id"], profile["architecture"], " and ".join(
                            a for a, row in model_profiles.ARCHITECTURES.items()
                            if row["hybrid_kv_default"])))
    reasons = []
    if args["multimodal"]:
        reasons.append("multimodal: --enable-multimodal (SGLang leaves %s image input off without "
                       "it)" % profile["architecture"])
    if args["tool_calling"]:
        reasons.append("tool calling: --tool-call-parser %s" % profile["tool_call_parser"])
    if args["speculative"] == "eagle3":
        reasons.append("EAGLE3 draft %s: 3 steps, topk 1, 4 draft tokens, CUDA graphs up to "
                       "batch 2 (draft understands chat-formatted requests only)"
                       % profile["eagle3_draft"])
    return {"hybrid": hybrid, "hybrid_default": hybrid_default, "reasons": reasons}


def quantization(args, profile, host):
    """bf16 or fp8: the checkpoint's own precision unless quantization asks for online FP8."""
    stored = model_profiles.CHECKPOINT_BYTES[profile["checkpoint_dtype"]]["precision"]
    asked = args["quantization"]
    if stored == "fp8" and asked == "bf16":
        raise PlanError("%s: quantization=bf16 but %s is an FP8 checkpoint; %s" % (
            host, profile["model_id"], "use the BF16 checkpoint %s or quantization=auto"
            % profile["bf16_checkpoint"] if profile["bf16_checkpoint"] else "use quantization=auto"))
    value = stored if asked == "auto" else asked
    gpus = args["gpus"]
    if value == "fp8" and not hardware.supports_fp8(gpus):
        raise PlanError("%s: quantization=fp8 needs %s; %s has %s. Use quantization=bf16" % (
            host, hardware.fp8_rule_text(), gpus["family"], gpus["compute_capability"] or "none"))
    online = value == "fp8" and stored != "fp8"
    if value == "fp8":
        why = "online FP8 of the BF16 checkpoint (--quantization fp8)" if online else \
            "FP8 checkpoint (routed experts stored in FP8)"
    else:
        why = "the checkpoint's own precision%s" % (
            " (auto keeps it; quantization=fp8 halves the weights)" if asked == "auto" else "")
    return {"value": value, "online": online, "reasons": ["quantization %s: %s" % (value, why)]}


def tensor_parallel(args, profile, host):
    """The tp size of each replica: the one given, else the largest the model accepts over the
    GPUs one replica gets (every GPU of every node, or this host's GPUs shared by its replicas)."""
    replicas, count = args["replicas_per_host"], args["gpus"]["count"]
    if replicas > 1 and args["nnodes"] > 1:
        raise PlanError("%s: replicas_per_host=%d with nnodes=%d: a multi-node replica takes every "
                        "GPU of its hosts; set replicas_per_host=1 or leave sglang_replica unset"
                        % (host, replicas, args["nnodes"]))
    if replicas > count:
        raise PlanError("%s: replicas_per_host=%d but the host has %d GPU(s); at most %d replica(s) "
                        "of at least one GPU each" % (host, replicas, count, count))
    world = count // replicas * args["nnodes"]
    sizes = valid_tp_sizes(profile, world)
    given = args["tp_size"]
    if given != "auto" and given not in valid_tp_sizes(profile, given):
        raise PlanError("%s: tp_size=%d is not a tensor-parallel size %s accepts (%d heads): use "
                        "one of %s" % (host, given, profile["model_id"], profile["num_attention_heads"],
                                       ", ".join(map(str, valid_tp_sizes(profile, 64)))))
    if given != "auto" and given > world:
        raise PlanError("%s: tp_size=%d needs %d GPUs per replica; %d replica(s) on %d GPU(s) leave "
                        "%d each%s" % (host, given, given, replicas, count, world // args["nnodes"],
                                       "" if replicas == 1 else "; use fewer replicas_per_host"))
    tp = sizes[-1] if given == "auto" else given
    if args["nnodes"] > 1 and tp != world:
        no_pp = model_profiles.ARCHITECTURES[profile["architecture"]]["no_pipeline_parallel"]
        raise PlanError("%s: nnodes=%d x %d GPUs = %d, which is not a tensor-parallel size %s "
                        "accepts (%s), and pipeline parallel cannot make up the rest: %s" % (
                            host, args["nnodes"], count, world, profile["model_id"],
                            ", ".join(map(str, sizes)), no_pp))
    if given != "auto":
        why = "given"
    elif tp == world:
        nodes = " over %d nodes" % args["nnodes"] if args["nnodes"] > 1 else ""
        why = "all %d GPU(s)%s" % (world, nodes) if replicas == 1 else \
            "the %d GPU(s) of each of %d replicas" % (world, replicas)
    else:
        why = "%d GPUs is not a size %s accepts (%d heads); using %d" % (
            world, profile["model_id"], profile["num_attention_heads"], tp)
    reasons = ["tp %d: %s" % (tp, why)]
    idle = count - tp * replicas
    if replicas > 1 or idle:
        reasons.append("%d replica(s) of tp %d on %d GPU(s)%s" % (
            replicas, tp, count, ", %d GPU(s) idle" % idle if idle else ""))
    return {"value": tp, "reasons": reasons}


def replica_layout(args, tp):
    """Each SGLang server on this host: its port (the given one, then the next ones) and its GPUs
    (SGLang's --base-gpu-id; tp GPUs from there). One server: no --base-gpu-id."""
    out = []
    for index in range(args["replicas_per_host"]):
        port = args["port"] + index
        out.append({"index": index, "port": port, "local_url": local_url(args["host"], port),
                    "base_gpu_id": index * tp, "gpu_ids": list(range(index * tp, (index + 1) * tp))})
    return out


def attention_backend(args, profile, host):
    """What SGLang picks on this hardware, or the one given (ARGUMENTS allows only backends some
    architecture accepts; this model's architecture must accept it)."""
    backend, why = hardware.attention_backend_for(args["gpus"])
    if args["attention_backend"] != "auto":
        if args["attention_backend"] not in profile["attention_backends"]:
            raise PlanError("%s: attention_backend=%r is not one SGLang accepts for %s: "
                            "use auto or one of %s" % (
                                host, args["attention_backend"], profile["architecture"],
                                ", ".join(profile["attention_backends"])))
        why = "given (SGLang would pick %s: %s)" % (backend, why)
        backend = args["attention_backend"]
    return {"value": backend, "reasons": ["attention backend %s: %s" % (backend, why)]}


def memory(args, profile, steps, host):
    """What loads and what is free before it; refuses a model that does not fit at all."""
    gpus, tp, quant = args["gpus"], steps["tp"]["value"], steps["quantization"]["value"]
    hybrid = steps["capabilities"]["hybrid"]
    b = memory_basis(profile, gpus, tp, quant, hybrid, args, steps["backend"]["value"])
    if hybrid and not b["layout"]["swa_layers"]:
        hybrid = False  # no local-attention layers in this config: one full-attention pool
        b = memory_basis(profile, gpus, tp, quant, hybrid, args, steps["backend"]["value"])

    def basis_for(q, tp_size, gpus_=None, profile_=None):  # _ways_out tries other GPUs and models
        return memory_basis(profile_ or profile, gpus_ or gpus, tp_size, q, hybrid, args,
                            steps["backend"]["value"])

    load = b["load"]
    if not fits_at_all(b):
        raise PlanError("%s: %s does not fit on %s: SGLang loads %.1f GiB per GPU at tp %d "
                        "(parameters %.1f + rotary cache %.1f%s), %.1f GiB are free before load and "
                        "SGLang keeps %.1f GiB of them for CUDA graphs and activations, leaving no "
                        "KV cache of %d tokens. Ways out: %s" % (
                            host, profile["model_id"], _label(gpus, args), _gib(load["total"]), tp,
                            _gib(load["parameters"]), _gib(load["rotary_cache"]),
                            _load_extra_text(load), b["free_mib"] / 1024, b["reserve_mib"] / 1024,
                            kv_planner.MIN_CONTEXT, _ways_out(profile, gpus, args, quant, basis_for)))
    reasons = [
        "load %.2f GiB/GPU: parameters %.2f (sharded by tp %d%s) + rotary cache %.2f (fp32, %d "
        "positions, on every GPU)%s" % (
            _gib(load["total"]), _gib(load["parameters"]), tp,
            ", vision tower built for images" if args["multimodal"] else
            ", no vision tower without images", _gib(load["rotary_cache"]),
            profile["max_position_embeddings"], _load_extra_text(load)),
        "free before load %.1f GiB/GPU: %d MiB - %d MiB CUDA context and communicators at tp %d "
        "(measured)" % (b["free_mib"] / 1024, b["gpu_mib"], b["overhead_mib"], tp)]
    return {"basis": b, "hybrid": hybrid, "basis_for": basis_for, "reasons": reasons}


def _label(gpus, args=None):
    """The GPUs planned for: the host's, or one server's of several (replicas_per_host)."""
    label = "%d x %s (%s MiB)" % (gpus["count"], gpus["family"], gpus["memory_mib"])
    if args and args["replicas_per_host"] > 1:
        label += ", one of %d servers on the host" % args["replicas_per_host"]
    return label


def context(args, profile, steps, host):
    """Context, slots, SWA ratio and fraction chosen together (kv_planner.choose), and the
    longest context these slots and ratio allow."""
    b, eagle = steps["memory"]["basis"], args["speculative"] == "eagle3"
    max_positions = profile["max_position_embeddings"]
    if args["context_length"] != "auto" and args["context_length"] > max_positions:
        raise PlanError("%s: context_length=%d is above %s's max positions %d; use at most %d or "
                        "auto" % (host, args["context_length"], profile["model_id"], max_positions,
                                  max_positions))
    chosen, how = kv_planner.choose(b, args["context_length"], args["max_running_requests"],
                                    args["swa_full_tokens_ratio"], eagle)
    if chosen is None:
        raise PlanError(_refusal(host, args, b, how, _label(args["gpus"], args), _ways_out(
            profile, args["gpus"], args, steps["quantization"]["value"],
            steps["memory"]["basis_for"])))
    if chosen["slots_planned"] and how != "auto":
        slots = chosen["slots"]
    else:
        slots = None if args["max_running_requests"] == "auto" and not eagle else chosen["slots"]
    longest = kv_planner.longest_context(
        b, slots, None if args["swa_full_tokens_ratio"] == "auto" else args["swa_full_tokens_ratio"])
    return {"chosen": chosen, "longest": longest,
            "reasons": _memory_reasons(b, chosen, how, args, profile)}


def launch_argv(args, profile, steps):
    """SGLang's arguments for the plan (extra_args are checked and appended by plan_launch)."""
    chosen, gpus = steps["context"]["chosen"], args["gpus"]
    argv = ["--model-path", args["model"],
            "--served-model-name", args["served_model_name"] or _served_name(args["model"]),
            "--host", args["host"], "--port", str(args["port"]),
            "--tp-size", str(steps["tp"]["value"])]
    if args["nnodes"] > 1:
        argv += ["--nnodes", str(args["nnodes"]), "--node-rank", str(args["node_rank"]),
                 "--dist-init-addr", args["dist_init_addr"]]
    if hardware.device_for(gpus):
        argv += ["--device", hardware.device_for(gpus)]
    argv += ["--attention-backend", steps["backend"]["value"]]
    if steps["quantization"]["online"]:
        argv += ["--quantization", "fp8"]
    argv += ["--context-length", str(chosen["context"]),
             "--mem-fraction-static", "%g" % chosen["fraction"]]
    if chosen["slots_planned"] and not (args["speculative"] == "eagle3"
                                        and args["max_running_requests"] == "auto"):
        argv += ["--max-running-requests", str(chosen["slots_planned"])]
    if steps["memory"]["hybrid"]:
        argv += ["--swa-full-tokens-ratio", "%g" % chosen["ratio"]]
    elif steps["capabilities"]["hybrid_default"]:
        argv += ["--disable-hybrid-swa-memory"]
    argv += ["--chat-template", profile["chat_template"]]
    if args["multimodal"]:
        argv += ["--enable-multimodal"]
    if args["tool_calling"]:
        argv += ["--tool-call-parser", profile["tool_call_parser"]]
    if args["speculative"] == "eagle3":
        argv += _eagle3_argv(profile, args["sglang_version"])
    return argv + metrics_argv(args)


def metrics_argv(args):
    """Prometheus metrics on /metrics. Without the all-schedulers flag only the first scheduler
    reports (SGLang PR #7720), so the ranks of a multi-node replica would be missing."""
    if not args["metrics"]:
        return []
    return ["--enable-metrics"] + (["--enable-metrics-for-all-schedulers"] if args["nnodes"] > 1
                                   else [])


def _eagle3_argv(profile, version):
    eagle = profile["eagle3"]
    return ["--speculative-algorithm", "EAGLE3",
            "--speculative-draft-model-path", profile["eagle3_draft"],
            "--speculative-num-steps", str(eagle["num_steps"]),
            "--speculative-eagle-topk", str(eagle["eagle_topk"]),
            "--speculative-num-draft-tokens", str(eagle["num_draft_tokens"]),
            flag_for("cuda_graph_max_bs", version), str(eagle["cuda_graph_max_bs"])]


def plan_document(args, profile, steps):
    """The plan: every decision, the numbers behind it and the reasons, in the steps' order."""
    gpus, b = args["gpus"], steps["memory"]["basis"]
    chosen, longest = steps["context"]["chosen"], steps["context"]["longest"]
    hybrid, local = steps["memory"]["hybrid"], is_local_model(args["model"])
    ratio = chosen["ratio"] if hybrid else None
    cell = b["layout"]["full_cell"] + (ratio or 0) * b["layout"]["swa_cell"]
    quant = steps["quantization"]["value"]
    weights_on_host = (_gib(b["load"]["total"]) * steps["tp"]["value"] * args["replicas_per_host"]
                       / args["nnodes"])
    replicas = replica_layout(args, steps["tp"]["value"])
    if len(replicas) > 1:
        for replica in replicas:
            replica["argv"] = ["--port", str(replica["port"]), "--base-gpu-id", str(replica["base_gpu_id"])]
    else:
        replicas[0]["argv"] = []
    reasons = []
    for step in ("tp", "backend", "quantization", "memory", "context", "capabilities"):
        reasons += steps[step]["reasons"]
    return {
        "model": args["model"] if local else profile["model_id"],
        "model_is_local": local,
        "model_profile": profile["model_id"],
        "served_model_name": args["served_model_name"] or _served_name(args["model"]),
        "gpus": "%d x %s" % (gpus["count"], gpus["name"]),
        "gpu_family": gpus["family"],
        "gpu_vendor": gpus["vendor"],
        "driver_version": gpus.get("driver_version", ""),
        "gpu_count": gpus["count"],
        "tp_size": steps["tp"]["value"],
        "nnodes": args["nnodes"],
        "node_rank": args["node_rank"],
        "dist_init_addr": args["dist_init_addr"] if args["nnodes"] > 1 else None,
        "attention_backend": steps["backend"]["value"],
        "quantization": quant,
        "context_length": chosen["context"],
        "max_context_length": max(longest["context"] if longest else 0, chosen["context"]),
        "kv_pool_tokens": chosen["full_tokens"],
        "swa_pool_tokens": chosen["swa_tokens"] if hybrid else None,
        "kv_bytes_per_token": int(cell * min(steps["tp"]["value"], profile["num_kv_heads"])),
        "kv_bytes_per_token_per_gpu": int(cell),
        "hybrid_kv": hybrid,
        "swa_full_tokens_ratio": ratio,
        "weights_gib_per_gpu": round(_gib(b["load"]["total"]), 2),
        "free_before_load_gib_per_gpu": round(b["free_mib"] / 1024, 2),
        "mem_fraction_static": chosen["fraction"],
        "mem_fraction_effective": chosen["fraction_effective"],
        "max_running_requests": chosen["slots"],
        "request_table_gib_per_gpu": round(_gib(chosen["table"]), 3),
        "left_after_table_gib_per_gpu": round(_gib(chosen["left_after_table"]), 2),
        "sglang_reserve_gib_per_gpu": round(b["reserve_mib"] / 1024, 2),
        "multimodal": args["multimodal"],
        "tool_calling": args["tool_calling"],
        "metrics": args["metrics"],
        "speculative": args["speculative"],
        "eagle3_draft": profile["eagle3_draft"] if args["speculative"] == "eagle3" else None,
        "active_params": profile["active_params"],
        "active_weight_bytes_per_token": model_profiles.active_weight_bytes_per_token(profile, quant),
        "bandwidth_tbps": hardware.family_row(gpus["family"])["bandwidth_tbps"],
        "host": args["host"],
        "port": args["port"],
        # what the roles after the plan use, decided here once
        "local_url": local_url(args["host"], args["port"]),
        "replicas_per_host": args["replicas_per_host"],
        # one server (unit) per entry; argv: the options of that server on top of the plan's argv
        "replicas": replicas,
        "serving_node": args["node_rank"] == 0,
        "weights_gib_on_host": round(weights_on_host, 2),
        # every rank downloads the whole checkpoint, whatever share of it its GPUs load; the
        # replicas of one host share one copy
        "download_gib": 0.0 if local else round(_gib(b["load"]["total"]) * steps["tp"]["value"], 2),
        # the replicas of a host start together, reading their weights from one disk
        "start_timeout_s": start_timeout(weights_on_host),
        "device_groups": hardware.device_groups(gpus),
        "sglang_version": args["sglang_version"],
        "extra_args": list(args["extra_args"]),
        "reasons": reasons,
    }


def start_timeout(weights_gib_on_host):
    """Seconds a start may take (systemd's TimeoutStartSec, smoke's wait): 15 minutes, plus 20 s
    per GiB of weights this host loads (reading them is most of a start)."""
    return 900 + int(weights_gib_on_host * 20)


def local_url(host, port):
    """The server's URL from the host itself: loopback when it listens on every address."""
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return "http://" + safe_text.host_port(host, port)


def _served_name(model):
    return model.rstrip("/").split("/")[-1] if is_local_model(model) else model


def _load_extra_text(load):
    parts = []
    if load["quantization_overhead"]:
        parts.append(" + online-FP8 overhead %.1f" % _gib(load["quantization_overhead"]))
    if load["draft_model"]:
        parts.append(" + EAGLE3 draft %.1f" % _gib(load["draft_model"]))
    return "".join(parts)


def _memory_reasons(b, chosen, how, args, profile):
    """The memory arithmetic in SGLang's order, one reason a step."""
    reasons = []
    given = b["fraction_given"] is not None
    reasons.append(
        "mem_fraction_static %.3f: %s%s" % (
            chosen["fraction"],
            "given" if given else
            "leaves SGLang's own reserve (%.1f GiB for CUDA graphs and activations, its default "
            "fraction would be %.3f) plus the request table outside the pool%s" % (
                b["reserve_mib"] / 1024, b["sglang_fraction"],
                ", then x %.3f for the vision tower's activations, as SGLang scales its own"
                % b["vision_factor"] if b["vision_factor"] < 1 and b["eagle_fraction"] is None
                else ", at most the 0.75 of the EAGLE3 cookbook command"
                if b["eagle_fraction"] is not None else ""),
            "; SGLang scales it by 0.85 for aiter with a context over 8192 (%.3f)"
            % chosen["fraction_effective"] if chosen["fraction_effective"] < chosen["fraction"] else ""))
    layout = b["layout"]
    if b["hybrid"]:
        reasons.append(
            "KV pool: full layers %d tokens, local (SWA) layers %d tokens (ratio %g): (%.3f x %.1f "
            "GiB free - %.2f GiB load) / (%d full layers x %d B + %g x %d local layers x %d B)" % (
                chosen["full_tokens"], chosen["swa_tokens"], chosen["ratio"],
                chosen["fraction_effective"], b["free_mib"] / 1024, _gib(b["load"]["total"]),
                layout["full_layers"], layout["per_layer"], chosen["ratio"], layout["swa_layers"],
                layout["per_layer"]))
    else:
        reasons.append("KV pool %d tokens: (%.3f x %.1f GiB free - %.2f GiB load) / (%d layers x "
                       "%d B)" % (chosen["full_tokens"], chosen["fraction_effective"],
                                  b["free_mib"] / 1024, _gib(b["load"]["total"]),
                                  layout["full_layers"], layout["per_layer"]))
    reasons.append(
        "after the pool %.2f GiB/GPU remain: request table %.2f GiB (%d slots x (%d + %d) x 4 B), "
        "then %.2f GiB for CUDA graphs and activations (SGLang reserves %.1f)" % (
            _gib(chosen["left_after_table"] + chosen["table"]), _gib(chosen["table"]),
            chosen["slots"] + 1, chosen["context"], 4 + b["draft_tokens"],
            _gib(chosen["left_after_table"]), b["reserve_mib"] / 1024))
    reasons.append("context %d (%s): %s" % (chosen["context"], "auto" if how == "auto" else "given",
                                            _context_reason(b, chosen, how, profile)))
    reasons.append("max_running_requests %d: %s" % (chosen["slots"], _slots_reason(b, chosen, args)))
    return reasons


def _context_reason(b, chosen, how, profile):
    pool = "the full-layer pool holds %d (a context stays %d %% below it)" % (
        chosen["full_tokens"], kv_planner.POOL_MARGIN * 100)
    if how == "auto" and chosen["context"] == profile["max_position_embeddings"]:
        return "the model's max positions; %s" % pool
    if how == "auto":
        return "the longest that starts with at least %d requests running; %s" % (
            kv_planner.MIN_AUTO_RUNNING_REQUESTS, pool)
    if how == "defaults":
        return "fits with SGLang's default slots and ratio; %s" % pool
    return "SGLang's defaults would not start (or their request table would take over %d %% of " \
        "the KV budget): %s planned; %s" % (kv_planner.AUTO_SLOT_SHARE * 100, {
            "planned slots": "request slots", "planned ratio": "the largest SWA ratio that fits",
            "planned": "slots and the SWA ratio that holds their windows"}[how], pool)


def _slots_reason(b, chosen, args):
    if args["max_running_requests"] != "auto":
        why = "given%s" % ("" if chosen["slots"] == args["max_running_requests"]
                           else " (SGLang caps it at half the pool)")
    elif args["speculative"] == "eagle3":
        why = "SGLang's own under EAGLE3"
    elif not chosen["slots_planned"]:
        why = "SGLang's default (not passed)"
    else:
        why = "planned (--max-running-requests)"
    if b["hybrid"] and b["window"]:
        why += "; the SWA pool holds %d local windows of %d tokens" % (
            chosen["swa_tokens"] // b["window"], b["window"])
    return why


def _refusal(host, args, b, default, label, ways):
    """The message for a given context (or slots/ratio) that does not start."""
    longest = kv_planner.longest_context(b)
    problems = []
    if default["budget"] <= 0:
        slots = default["slots_planned"] or 2048  # SGLang's default is 2048 slots or more
        problems.append("the request table (%d slots x (context + 4) x 4 B = %.1f GiB) leaves no "
                        "room for the KV pool" % (slots, _gib(sglang_memory.request_table_bytes(
                            slots, default["context"], b["draft_tokens"]))))
    elif not default["fits_pool"]:
        problems.append("the full-layer pool holds %d tokens" % default["full_tokens"])
    if not default["fits_reserve"]:
        problems.append("the request table (%d slots, %.1f GiB) leaves %.1f GiB for CUDA graphs "
                        "and activations where SGLang reserves %.1f" % (
                            default["slots"], _gib(default["table"]),
                            _gib(default["left_after_table"]), b["reserve_mib"] / 1024))
    if default["budget"] > 0 and not default["fits_swa"]:
        problems.append("the SWA pool holds %d tokens, not one %d-token window" % (
            default["swa_tokens"], b["window"]))
    hints = []
    if longest and longest["context"] != default["context"]:
        hints.append("context_length<=%d (with max_running_requests=%d%s)" % (
            longest["context"], longest["slots"],
            ", swa_full_tokens_ratio=%g" % longest["ratio"] if b["hybrid"] else ""))
    if args["max_running_requests"] != "auto":
        hints.append("max_running_requests=auto")
    if args["mem_fraction_static"] != "auto":
        hints.append("mem_fraction_static=auto")
    return ("%s: context_length=%s does not start on %s: %s. Ways out: %s" % (
        host, args["context_length"], label, "; ".join(problems) or "nothing fits",
        ", ".join(hints + [ways])))


def _ways_out(profile, gpus, args, quant, basis_for):
    """What would fit instead: online FP8, the model's FP8 checkpoint, a larger GPU family of the
    vendor, two or four nodes."""
    ways = []

    def fits(q, tp, gpus_=gpus, profile_=profile):
        b = basis_for(q, tp, gpus_, profile_)
        return fits_at_all(b) and kv_planner.choose(
            b, args["context_length"], args["max_running_requests"],
            args["swa_full_tokens_ratio"], args["speculative"] == "eagle3")[0] is not None

    if quant != "fp8" and hardware.supports_fp8(gpus):
        if fits("fp8", valid_tp_sizes(profile, gpus["count"])[-1]):
            ways.append("quantization=fp8 (online FP8)")
    fp8 = model_profiles.lookup(profile["fp8_checkpoint"]) if profile["fp8_checkpoint"] else None
    if fp8 and quant != "fp8" and fits("fp8", valid_tp_sizes(fp8, gpus["count"])[-1], gpus, fp8):
        ways.append("the FP8 checkpoint %s" % fp8["model_id"])
    for variant in hardware.larger_variants(gpus):
        if fits(quant, valid_tp_sizes(profile, gpus["count"])[-1], variant):
            ways.append("%d x %s%s" % (gpus["count"], variant["family"],
                                       " per server" if args["replicas_per_host"] > 1 else ""))
            break
    if args["replicas_per_host"] > 1:
        host_gpus = args["host_gpu_count"]
        for fewer in range(args["replicas_per_host"] - 1, 0, -1):
            tp = valid_tp_sizes(profile, host_gpus // fewer)[-1]
            if tp > gpus["count"] and fits(quant, tp):
                ways.append("replicas_per_host=%d (tp %d each)" % (fewer, tp))
                break
        return ", ".join(ways) if ways else "none with %d GPU(s) per server: fewer replicas_per_host, " \
            "a larger GPU or another model" % gpus["count"]
    for nodes in (2, 4):
        tp = valid_tp_sizes(profile, gpus["count"] * nodes)[-1]
        if tp == gpus["count"] * nodes and fits(quant, tp):
            ways.append("nnodes=%d (tp %d over %d hosts)" % (nodes, tp, nodes))
            break
    return ", ".join(ways) if ways else "none on this hardware: a larger GPU or more nodes"
