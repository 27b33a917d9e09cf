"""Hostile and bad input to the controller-side entry points, as tables: the planner
(plan_launch), a local model folder's config.json, recorded GPU facts and the nvidia-smi parser,
the fleet planner and its plan files (host names), benchmark profiles, and secrets.

Every row gives: an id, the entry point, the variables, and the fragments the refusal must hold.
Each row asserts a refusal of the documented kind (PlanError, GpuParseError, ProfileError; any
other exception is a crash) whose message names the host, the key and the value; fragments
starting with "!" must NOT appear (secrets); fragments starting with "re:" are regular
expressions. The playbook-level counterpart is tests/integration/test_hostile_playbooks.py.
"""

import copy
import json
import os
import re

import pytest

from helpers import SCOUT, TINY_ARGS, TINY_CONFIG, facts, fixture_text
from ansible_collections.llmops.sglang.plugins.module_utils import gpu_parsers
from ansible_collections.llmops.sglang.plugins.module_utils.bench_profiles import (
    ProfileError,
    validate_profiles,
)
from ansible_collections.llmops.sglang.plugins.module_utils.fleet import (
    arguments_from_hostvars,
    plan_fleet,
    table_lines,
    write_plan_files,
)
from ansible_collections.llmops.sglang.plugins.module_utils.planner import PlanError, plan_launch

HOST = "hostile-host-7"
SECRET = "sk-FAKE-unit-apikey-5e1f0c"
HF = "hf_FAKEunitToken9c2d7a"
INJECT = "ExecStartPre=/bin/sh"
H100_1 = "h100-80gb-hbm3-x1"
DROP = object()  # a model_config / gpus key to remove


def K(key):
    """A key as a word of its own (not part of a host name such as inj-host-newline)."""
    return r"re:(?<![\w-])(?:sglang_)?%s(?![\w-])" % re.escape(key)


# control, line-breaking, bidi and zero-width characters (YAML and systemd both treat some of
# them as line breaks; bidi and zero-width ones hide what a value really is)
CHARS = [
    ("newline", "\n"), ("cr", "\r"), ("nul", "\x00"), ("tab", "\t"), ("esc", "\x1b"),
    ("nel-u0085", "\x85"), ("ls-u2028", "\u2028"), ("ps-u2029", "\u2029"),
    ("rlo-u202e", "\u202e"), ("lri-u2066", "\u2066"), ("pdi-u2069", "\u2069"),
    ("zwsp-u200b", "\u200b"), ("zwj-u200d", "\u200d"), ("bom-ufeff", "\ufeff"),
    ("wj-u2060", "\u2060"),
]
SOME = ("newline", "cr", "nul", "ls-u2028", "rlo-u202e", "zwsp-u200b")


def _chars(names):
    return [(n, c) for n, c in CHARS if n in names]


# ------------------------------------------------------------------------------------ tables
# (id, entry point, variables, expected fragments)

INJECTION = (
    [("served_model_name-" + n, "plan_launch", {"served_model_name": "scout%s%s" % (c, INJECT)},
      ("served_model_name", INJECT)) for n, c in CHARS]
    + [("extra_args-value-" + n, "plan_launch",
        {"extra_args": ["--log-level", "info%s%s" % (c, INJECT)]}, ("extra_args", INJECT))
       for n, c in _chars(SOME)]
    + [("model-hub-id-" + n, "plan_launch",
        {"model": "meta-llama/Llama-4-Scout%s-17B-16E-Instruct" % c}, (K("model"), "Llama-4-Scout"))
       for n, c in _chars(("newline", "tab", "ls-u2028", "zwsp-u200b"))]
    + [("model-local-path-" + n, "plan_launch", {"model": "/models/scout%s%s" % (c, INJECT)},
        (K("model"), INJECT)) for n, c in _chars(("newline", "nul"))]
    + [("host-" + n, "plan_launch", {"host": "127.0.0.1%s%s" % (c, INJECT)}, (K("host"), INJECT))
       for n, c in _chars(("newline", "ls-u2028", "zwsp-u200b"))]
    + [("dist_init_addr-" + n, "plan_launch",
        {"nnodes": 2, "node_rank": 0, "dist_init_addr": "10.0.0.1%s:5000" % c},
        ("dist_init_addr", "10.0.0.1")) for n, c in _chars(("newline", "ls-u2028", "rlo-u202e"))]
    + [("sglang_version-" + n, "plan_launch", {"sglang_version": "0.5%s.23" % c},
        ("sglang_version", "0.5")) for n, c in _chars(("newline", "zwsp-u200b"))]
    + [("model_profile-" + n, "plan_launch",
        {"model": "/models/scout", "model_profile": SCOUT[:-9] + c + "Instruct"},
        ("model_profile", "Llama-4-Scout")) for n, c in _chars(("newline", "rlo-u202e"))]
    + [
        # values that look like options: argv injection through a planned value
        ("served_model_name-is-an-option", "plan_launch", {"served_model_name": "--api-key"},
         ("served_model_name", "--api-key")),
        ("served_model_name-is-help", "plan_launch", {"served_model_name": "-h"},
         ("served_model_name", "-h")),
        ("served_model_name-config-form", "plan_launch",
         {"served_model_name": "--config=/tmp/evil.yaml"}, ("served_model_name", "/tmp/evil.yaml")),
        ("host-is-an-option", "plan_launch", {"host": "--port"}, (K("host"), "--port")),
        ("dist_init_addr-is-an-option", "plan_launch",
         {"nnodes": 2, "node_rank": 0, "dist_init_addr": "--host:5000"},
         ("dist_init_addr", "--host:5000")),
        ("model-is-an-option", "plan_launch", {"model": "--help"}, (K("model"), "--help")),
    ]
)

PATHS = [
    # inventory host names become <plan_dir>/<host>.json
    ("plan-file-dotdot-escape", "fleet_hostname", {"host": "../escape-up"}, ("escape-up", "name")),
    ("plan-file-slash", "fleet_hostname", {"host": "a/b"}, ("a/b", "name")),
    ("plan-file-dotdot", "fleet_hostname", {"host": ".."}, ("..", "name")),
    ("plan-file-dot", "fleet_hostname", {"host": "."}, (r"re:[\"'\s]\.[\"'\s:]", "name")),
    ("plan-file-absolute", "fleet_hostname", {"host": "/tmp/abs-escape"}, ("abs-escape", "name")),
    ("plan-file-newline", "fleet_hostname", {"host": "x\ny"}, (K("name"),)),
    ("plan-file-too-long", "fleet_hostname", {"host": "h" * 300}, ("hhhhhhhh", "name")),
    ("plan-file-empty", "fleet_hostname", {"host": ""}, (K("name"),)),
    ("plan-file-nul", "fleet_hostname", {"host": "a\x00b"}, (K("name"),)),
    # model paths the controller would read
    ("model-dotdot-etc", "plan_launch", {"model": "../../etc"}, (K("model"), "../../etc")),
    ("model-absolute-etc", "plan_launch", {"model": "/etc"}, (K("model"), "/etc")),
    ("model-tilde-root", "plan_launch", {"model": "~root/.ssh"}, (K("model"), "~root/.ssh")),
    ("model-dot-dotdot-shadow", "plan_launch", {"model": "./m/../../../etc/shadow"},
     (K("model"), "shadow")),
    # ~ and relative paths: refused with the fix, never planned as a folder the weights role
    # would hand to the hub download
    ("model-home", "plan_launch", {"model": "~/models/scout"},
     (K("model"), "~/models/scout", "absolute path")),
]

EXTRA_ARGS = [
    ("secret-prefix-eq", "plan_launch", {"extra_args": ["--api-ke=" + SECRET]},
     ("extra_args", "--api-ke", "!" + SECRET)),
    ("secret-exact", "plan_launch", {"extra_args": ["--api-key", SECRET]},
     ("extra_args", "--api-key", "!" + SECRET)),
    ("secret-exact-eq", "plan_launch", {"extra_args": ["--api-key=" + SECRET]},
     ("extra_args", "--api-key", "!" + SECRET)),
    ("secret-short-prefix", "plan_launch", {"extra_args": ["--api-k", SECRET]},
     ("extra_args", "--api-k", "!" + SECRET)),
    ("admin-secret-prefix", "plan_launch", {"extra_args": ["--admin-api-k", SECRET]},
     ("extra_args", "--admin-api-k", "!" + SECRET)),
    ("admin-secret-eq", "plan_launch", {"extra_args": ["--admin-api-key=" + SECRET]},
     ("extra_args", "--admin-api-key", "!" + SECRET)),
    ("hf-token-prefix", "plan_launch", {"extra_args": ["--hf-tok", HF]},
     ("extra_args", "--hf-tok", "!" + HF)),
    ("hf-token-eq", "plan_launch", {"extra_args": ["--hf-token=" + HF]},
     ("extra_args", "--hf-token", "!" + HF)),
    ("secret-after-double-dash", "plan_launch", {"extra_args": ["--", "--api-key", SECRET]},
     ("extra_args", "!" + SECRET)),
    ("secret-uppercase", "plan_launch", {"extra_args": ["--API-KEY", SECRET]},
     ("extra_args", "--API-KEY", "!" + SECRET)),
    # a value without an option is not echoed (it may be a secret): named by its index
    ("secret-em-dash", "plan_launch", {"extra_args": ["\u2014api-key", SECRET]},
     ("extra_args[0]", "not shown", "!" + SECRET)),
    ("tp-long-alias", "plan_launch", {"extra_args": ["--tensor-parallel-size", "2"]},
     ("extra_args", "--tensor-parallel-size")),
    ("tp-size-alias", "plan_launch", {"extra_args": ["--tp-size", "2"]}, ("extra_args", "--tp-size")),
    ("tp-planned", "plan_launch", {"extra_args": ["--tp", "2"]}, ("extra_args", "--tp")),
    ("tp-eq", "plan_launch", {"extra_args": ["--tp=2"]}, ("extra_args", "--tp")),
    ("model-prefix", "plan_launch", {"extra_args": ["--model", "x"]}, ("extra_args", "--model")),
    ("model-path", "plan_launch", {"extra_args": ["--model-path", "/tmp/other"]},
     ("extra_args", "--model-path")),
    ("context-prefix-eq", "plan_launch", {"extra_args": ["--context-len=4096"]},
     ("extra_args", "--context-len")),
    ("context-exact", "plan_launch", {"extra_args": ["--context-length", "4096"]},
     ("extra_args", "--context-length")),
    ("config-other", "plan_launch", {"extra_args": ["--config", "other.yaml"]},
     ("extra_args", "--config")),
    ("config-eq", "plan_launch", {"extra_args": ["--config=other.yaml"]}, ("extra_args", "--config")),
    ("mem-fraction-prefix", "plan_launch", {"extra_args": ["--mem-frac", "0.9"]},
     ("extra_args", "--mem-frac")),
    (K("port"), "plan_launch", {"extra_args": ["--port", "1"]}, ("extra_args", "--port")),
    ("port-eq", "plan_launch", {"extra_args": ["--port=1"]}, ("extra_args", "--port")),
    (K("host"), "plan_launch", {"extra_args": ["--host", "0.0.0.0"]}, ("extra_args", "--host")),
    ("host-eq", "plan_launch", {"extra_args": ["--host=0.0.0.0"]}, ("extra_args", "--host")),
    ("served-model-name", "plan_launch", {"extra_args": ["--served-model-name", "other"]},
     ("extra_args", "--served-model-name")),
    ("chat-template", "plan_launch", {"extra_args": ["--chat-template", "/tmp/evil.jinja"]},
     ("extra_args", "--chat-template")),
    ("tool-parser-planned", "plan_launch",
     {"tool_calling": True, "extra_args": ["--tool-call-parser", "llama3"]},
     ("extra_args", "--tool-call-parser")),
    ("attention-backend", "plan_launch", {"extra_args": ["--attention-backend", "fa3"]},
     ("extra_args", "--attention-backend")),
    ("nnodes-not-planned", "plan_launch", {"extra_args": ["--nnodes", "2"]},
     ("extra_args", "--nnodes")),
    ("quantization-not-planned", "plan_launch", {"extra_args": ["--quantization", "fp8"]},
     ("extra_args", "--quantization")),
    ("unknown-option", "plan_launch", {"extra_args": ["--no-such-flag"]},
     ("extra_args", "--no-such-flag")),
    ("unknown-option-eq", "plan_launch", {"extra_args": ["--no-such-flag=1"]},
     ("extra_args", "--no-such-flag")),
    ("bare-value", "plan_launch", {"extra_args": ["foo"]}, ("extra_args[0]", "not shown")),
    ("value-after-flag-option", "plan_launch", {"extra_args": ["--enable-cache-report", "yes"]},
     ("extra_args[1]", "not shown")),
    ("single-dash-help", "plan_launch", {"extra_args": ["-h"]}, ("extra_args", "-h")),
    ("not-a-list", "plan_launch", {"extra_args": "--enable-cache-report --api-key x"},
     ("extra_args", "--enable-cache-report")),
]


MODEL_CONFIG = [
    # only an FP8 quantization_config is planned; others would be sized wrongly
    ("quant-awq", "model_config", {"quantization_config": {"quant_method": "awq", "bits": 4}},
     ("quantization_config.quant_method", "awq", "allowed: fbgemm_fp8, fp8")),
    ("quant-gptq", "model_config", {"quantization_config": {"quant_method": "gptq"}},
     ("quantization_config.quant_method", "gptq")),
    ("heads-zero", "model_config", {"num_attention_heads": 0}, ("num_attention_heads", r"re:\b0\b")),
    ("heads-negative", "model_config", {"num_attention_heads": -4}, ("num_attention_heads", "-4")),
    ("heads-fraction", "model_config", {"num_attention_heads": 4.5}, ("num_attention_heads", "4.5")),
    ("kv-heads-zero", "model_config", {"num_key_value_heads": 0}, ("num_key_value_heads", r"re:\b0\b")),
    ("kv-heads-not-dividing", "model_config", {"num_key_value_heads": 3},
     ("num_key_value_heads", "3")),
    ("kv-heads-above-heads", "model_config", {"num_key_value_heads": 8},
     ("num_key_value_heads", "8")),
    ("layers-zero", "model_config", {"num_hidden_layers": 0}, ("num_hidden_layers", r"re:\b0\b")),
    ("layers-negative", "model_config", {"num_hidden_layers": -7}, ("num_hidden_layers", "-7")),
    ("max-positions-zero", "model_config", {"max_position_embeddings": 0},
     ("max_position_embeddings", r"re:\b0\b")),
    ("max-positions-nan", "model_config", {"max_position_embeddings": float("nan")},
     ("max_position_embeddings", "nan")),
    ("head-dim-zero", "model_config", {"head_dim": 0}, ("head_dim", r"re:\b0\b")),
    ("intermediate-zero", "model_config", {"intermediate_size": 0}, ("intermediate_size", r"re:\b0\b")),
    ("hidden-size-string", "model_config", {"hidden_size": "256"}, ("hidden_size", "256")),
    ("hidden-size-bool", "model_config", {"hidden_size": True}, ("hidden_size", "True")),
    ("experts-string", "model_config", {"num_local_experts": "4"}, ("num_local_experts", "4")),
    ("experts-negative", "model_config", {"num_local_experts": -1}, ("num_local_experts", "-1")),
    ("moe-step-negative", "model_config", {"interleave_moe_layer_step": -1},
     ("interleave_moe_layer_step", "-1")),
    ("chunk-negative", "model_config", {"attention_chunk_size": -128},
     ("attention_chunk_size", "-128")),
    ("no-rope-layers-string", "model_config", {"no_rope_layers": "abc"}, ("no_rope_layers", "abc")),
    ("architectures-string", "model_config", {"architectures": "Llama4ForCausalLM"},
     ("architectures", "Llama4ForCausalLM")),
    ("architectures-empty", "model_config", {"architectures": []}, ("architectures",)),
    ("architectures-other", "model_config", {"architectures": ["BertModel"]},
     ("architectures", "BertModel")),
    ("missing-hidden-size", "model_config", {"hidden_size": DROP}, ("hidden_size",)),
    ("missing-vocab", "model_config", {"vocab_size": DROP}, ("vocab_size",)),
    ("missing-max-positions", "model_config", {"max_position_embeddings": DROP},
     ("max_position_embeddings",)),
    ("missing-architectures", "model_config", {"architectures": DROP}, ("architectures",)),
    ("huge-hidden-size", "model_config", {"hidden_size": 10 ** 30}, ("hidden_size",)),
    ("huge-layers", "model_config", {"num_hidden_layers": 10 ** 12}, ("num_hidden_layers",)),
    ("huge-max-positions", "model_config", {"max_position_embeddings": 10 ** 18},
     ("max_position_embeddings",)),
    ("huge-vocab", "model_config", {"vocab_size": 10 ** 15}, ("vocab_size",)),
    ("text-config-list", "model_config", {"text_config": [1, 2]}, ("text_config",)),
    ("text-config-empty", "model_config",
     {"architectures": ["Llama4ForConditionalGeneration"], "text_config": {}}, ("hidden_size",)),
    ("vision-config-string", "model_config",
     {"architectures": ["Llama4ForConditionalGeneration"], "text_config": "TINY",
      "vision_config": "abc"}, ("vision_config", "abc")),
    ("config-is-a-list", "model_config", {"__replace__": [1, 2, 3]},
     ("model_config", "config.json", "JSON object", "list")),
    ("config-is-a-string", "model_config", {"__replace__": "{\"hidden_size\": 1}"},
     ("config.json", "architectures")),
    # a local folder the controller reads itself
    ("folder-invalid-json", "model_folder", {"text": "{\"hidden_size\": "}, ("config.json",)),
    ("folder-json-list", "model_folder", {"text": "[]"}, ("config.json",)),
    ("folder-json-null", "model_folder", {"text": "null"}, ("config.json",)),
    ("folder-binary", "model_folder", {"text": "\udcff\udcfe\x00garbage"}, ("config.json",)),
    ("folder-config-is-dir", "model_folder", {"dir": True}, ("config.json",)),
    ("folder-heads-zero", "model_folder", {"config": {"num_attention_heads": 0}},
     ("num_attention_heads",)),
]

GPUS = [
    ("count-zero", "gpus", {"count": 0}, (K("count"), r"re:\b0\b")),
    ("count-negative", "gpus", {"count": -1}, (K("count"), "-1")),
    ("count-string", "gpus", {"count": "eight"}, (K("count"), "eight")),
    ("count-fraction", "gpus", {"count": 1.5}, (K("count"), "1.5")),
    ("count-bool", "gpus", {"count": True}, (K("count"), "True")),
    ("count-huge", "gpus", {"count": 10 ** 6}, (K("count"), "1000000")),
    ("memory-negative", "gpus", {"memory_mib": -1}, ("memory_mib", "-1")),
    ("memory-zero", "gpus", {"memory_mib": 0}, ("memory_mib", r"re:\b0\b")),
    ("memory-string", "gpus", {"memory_mib": "lots"}, ("memory_mib", "lots")),
    ("memory-huge", "gpus", {"memory_mib": 10 ** 12}, ("memory_mib", "1000000000000")),
    ("memory-nan", "gpus", {"memory_mib": float("nan")}, ("memory_mib", "nan")),
    ("family-missing", "gpus", {"family": DROP}, (K("family"),)),
    ("family-number", "gpus", {"family": 123}, (K("family"), "123")),
    ("family-newline", "gpus", {"family": "H100\n" + INJECT}, (K("family"), INJECT)),
    ("vendor-newline", "gpus", {"vendor": "nvidia\n"}, (K("vendor"), "nvidia")),
    ("vendor-none", "gpus", {"vendor": None}, (K("vendor"), "None")),
    ("name-newline", "gpus", {"name": "NVIDIA H100\n" + INJECT}, (K("name"), INJECT)),
    ("compute-capability-garbage-fp8", "gpus", {"compute_capability": "abc", "__args__": {
        "quantization": "fp8"}}, ("re:compute.capability", "abc")),
    ("gpus-is-a-list", "gpus", {"__replace__": [{"count": 1}]}, (K("gpus"),)),
    ("gpus-is-a-string", "gpus", {"__replace__": "8 x H100"}, (K("gpus"), "8 x H100")),
    # nvidia-smi --query-gpu output gpu_facts parses (noheader,nounits)
    ("smi-empty", "gpu_parser", {"csv": ""}, ("nvidia-smi",)),
    ("smi-memory-na", "gpu_parser", {"csv_field": (5, "[N/A]")}, ("memory",)),
    ("smi-memory-negative", "gpu_parser", {"csv_field": (5, "-81559")}, ("memory", "-81559")),
    ("smi-compute-cap-garbage", "gpu_parser", {"csv_field": (8, "abc")}, ("re:compute.cap", "abc")),
    ("smi-short-row", "gpu_parser", {"csv": "0, GPU-x, NVIDIA H100 80GB HBM3\n"}, ("fields",)),
    ("smi-name-escape", "gpu_parser", {"csv_field": (2, "NVIDIA H100\x1b[2J")}, (K("name"), "H100")),
    ("smi-index-garbage", "gpu_parser", {"csv_field": (0, "zero")}, ("index", "zero")),
]

VALUES = [
    ("port-above-range", "plan_launch", {"port": 70000}, (K("port"), "70000", "65535")),
    ("port-string-above", "plan_launch", {"port": "70000"}, (K("port"), "70000", "65535")),
    ("port-word", "plan_launch", {"port": "abc"}, (K("port"), "abc")),
    ("port-zero", "plan_launch", {"port": 0}, (K("port"), "65535")),
    ("port-negative", "plan_launch", {"port": -1}, (K("port"), "-1")),
    ("port-fraction", "plan_launch", {"port": 30000.5}, (K("port"), "30000.5")),
    ("port-bool", "plan_launch", {"port": True}, (K("port"), "True")),
    ("port-empty", "plan_launch", {"port": ""}, (K("port"),)),
    ("multimodal-maybe", "plan_launch", {"multimodal": "maybe"}, (K("multimodal"), "maybe", "true")),
    ("tool-calling-two", "plan_launch", {"tool_calling": "2"}, ("tool_calling", "2")),
    ("tool-calling-int", "plan_launch", {"tool_calling": 2}, ("tool_calling", "2")),
    ("hybrid-kv-word", "plan_launch", {"hybrid_kv": "perhaps"}, ("hybrid_kv", "perhaps")),
    ("context-negative", "plan_launch", {"context_length": -1}, ("context_length", "-1")),
    ("context-scientific", "plan_launch", {"context_length": "1e9"}, ("context_length", "1e9")),
    ("context-word", "plan_launch", {"context_length": "lots"}, ("context_length", "lots", "auto")),
    ("nnodes-zero", "plan_launch", {"nnodes": 0}, (K("nnodes"), r"re:\b0\b")),
    ("nnodes-word", "plan_launch", {"nnodes": "two"}, (K("nnodes"), "two")),
    ("node-rank-negative", "plan_launch", {"node_rank": -1}, ("node_rank", "-1")),
    ("dist-port-above", "plan_launch", {"nnodes": 2, "dist_init_addr": "10.0.0.1:99999"},
     ("dist_init_addr", "99999")),
    ("mem-fraction-nan", "plan_launch", {"mem_fraction_static": "nan"}, ("mem_fraction_static", "nan")),
    ("mem-fraction-above-one", "plan_launch", {"mem_fraction_static": 1.5},
     ("mem_fraction_static", "1.5")),
    ("mem-fraction-inf", "plan_launch", {"mem_fraction_static": "inf"}, ("mem_fraction_static", "inf")),
    ("swa-ratio-inf", "plan_launch", {"swa_full_tokens_ratio": "inf"}, ("swa_full_tokens_ratio", "inf")),
    ("max-running-zero", "plan_launch", {"max_running_requests": 0}, ("max_running_requests",)),
    ("quantization-int4", "plan_launch", {"quantization": "int4"}, ("quantization", "int4", "fp8")),
    ("attention-shell", "plan_launch", {"attention_backend": "fa3; rm -rf /"},
     ("attention_backend", "rm -rf")),
    ("speculative-typo", "plan_launch", {"speculative": "eagle"}, ("speculative", "eagle")),
    ("version-unknown", "plan_launch", {"sglang_version": "9.9.9"}, ("sglang_version", "9.9.9", "0.5.23")),
    ("version-unchecked-patch", "plan_launch", {"sglang_version": "0.5.22"},
     ("sglang_version", "0.5.22", "0.5.23")),
    ("version-latest", "plan_launch", {"sglang_version": "latest"}, ("sglang_version", "latest")),
    ("version-path", "plan_launch", {"sglang_version": "../0.5.23"}, ("sglang_version", "../0.5.23")),
    ("model-empty", "plan_launch", {"model": "  "}, (K("model"),)),
    ("model-unknown-hub-id", "plan_launch", {"model": "meta-llama/Llama-5-Giant"},
     (K("model"), "Llama-5-Giant")),
]

BENCH = [
    ("profile-name-newline", "bench_profiles", {"name": "latency\n"}, (K("name"), "latency")),
    ("profile-name-dotdot", "bench_profiles", {"name": "../../etc"}, (K("name"), "../../etc")),
    ("profile-extra-secret", "bench_profiles", {"extra_args": ["--api-key", SECRET]},
     ("extra_args", "!" + SECRET)),
    ("profile-extra-output-file", "bench_profiles", {"extra_args": ["--output-file", "/etc/passwd"]},
     ("extra_args", "--output-file")),
    ("profile-extra-base-url", "bench_profiles",
     {"extra_args": ["--base-url=http://evil.example"]}, ("extra_args", "--base-url")),
    ("profile-extra-newline", "bench_profiles", {"extra_args": ["--seed", "1\n" + INJECT]},
     ("extra_args", INJECT)),
]

SECRETS = [
    # hostvars of a host that plans: the secrets are not launch arguments and must not leak
    ("api-key-in-hostvars", "fleet_secret", {"sglang_api_key": SECRET}, ("!" + SECRET,)),
    ("hf-token-in-hostvars", "fleet_secret", {"sglang_hf_token": HF}, ("!" + HF,)),
    ("both-beside-a-refused-host", "fleet_secret",
     {"sglang_api_key": SECRET, "sglang_hf_token": HF, "__neighbour__": {"sglang_port": "x"}},
     ("!" + SECRET, "!" + HF)),
    ("secret-as-unknown-argument", "plan_launch", {"api_key": SECRET}, ("api_key", "!" + SECRET)),
]

TABLES = {
    "injection": INJECTION, "path-escape": PATHS, "extra-args": EXTRA_ARGS,
    "model-config": MODEL_CONFIG, "gpu-facts": GPUS, "values": VALUES, "bench-profiles": BENCH,
    "secrets": SECRETS,
}
ROWS = [(cls,) + row for cls, rows in TABLES.items() for row in rows]


# ------------------------------------------------------------------------------------ runners

class Accepted(Exception):
    """The entry point took the hostile input."""


def base_args():
    return dict(TINY_ARGS, gpus=facts(H100_1), attention_backend="triton", mem_fraction_static=0.5)


def _patch(original, changes):
    out = copy.deepcopy(original)
    for key, value in changes.items():
        if value is DROP:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def run_plan(args, host=HOST):
    try:
        planned = plan_launch(args, host=host)
    except PlanError as exc:
        return str(exc)
    raise Accepted("planned: %s" % planned["command"][-300:])


def entry_plan_launch(variables, tmp_path):
    args = dict(base_args(), **variables)
    if "model" in variables and "model_config" not in variables:
        del args["model_config"]  # a row naming another model plans that model, not the tiny one
    return run_plan(args)


def entry_model_config(variables, tmp_path):
    if "__replace__" in variables:
        config = variables["__replace__"]
    else:
        config = _patch(TINY_CONFIG, variables)
        if config.get("text_config") == "TINY":
            config["text_config"] = dict(TINY_CONFIG)
    return run_plan(dict(base_args(), model="/models/hostile-model", model_config=config))


def entry_model_folder(variables, tmp_path):
    folder = tmp_path / "hostile-model"
    folder.mkdir()
    if variables.get("dir"):
        (folder / "config.json").mkdir()
    elif "config" in variables:
        (folder / "config.json").write_text(json.dumps(
            _patch(TINY_CONFIG, variables["config"])))
    else:
        (folder / "config.json").write_bytes(variables["text"].encode("utf-8", "surrogateescape"))
    return run_plan(dict(base_args(), model=str(folder), model_config=None))


def entry_gpus(variables, tmp_path):
    variables = dict(variables)
    extra = variables.pop("__args__", {})
    gpus = variables["__replace__"] if "__replace__" in variables else _patch(facts(H100_1), variables)
    return run_plan(dict(base_args(), gpus=gpus, **extra))


def entry_gpu_parser(variables, tmp_path):
    csv = variables.get("csv")
    if csv is None:
        cells = fixture_text(H100_1, "query-gpu-nounits.csv").strip().split(", ")
        index, value = variables["csv_field"]
        cells[index] = value
        csv = ", ".join(cells) + "\n"
    try:
        out = gpu_parsers.nvidia_facts(csv, None, host=HOST)
    except gpu_parsers.GpuParseError as exc:
        return str(exc)
    # the facts must then plan, or be refused by the planner with the reason
    return run_plan(dict(base_args(), gpus=out))


def entry_fleet_hostname(variables, tmp_path):
    name = variables["host"]
    out_dir = tmp_path / "out" / "plans"
    plans, refused = plan_fleet({name: base_args(), "good-host": base_args()})
    try:
        write_plan_files(str(out_dir), plans)
    except PlanError as exc:
        refused.setdefault(name, str(exc))
    stray = sorted(os.path.relpath(os.path.join(d, f), str(tmp_path))
                   for d, _dirs, files in os.walk(str(tmp_path)) for f in files
                   if not os.path.join(d, f).startswith(str(out_dir) + os.sep))
    assert not stray, "plan files written outside the plan folder: %s" % stray
    assert os.path.exists(str(out_dir / "good-host.json")), "the good host was not planned"
    if name not in refused:
        raise Accepted("planned and written: %s" % sorted(os.listdir(str(out_dir))))
    return refused[name]


def entry_bench_profiles(variables, tmp_path):
    profile = dict({"name": "latency", "num_prompts": 2, "max_concurrency": 1, "input_len": 8,
                    "output_len": 8}, **variables)
    try:
        out = validate_profiles([profile], host=HOST)
    except ProfileError as exc:
        return str(exc)
    raise Accepted("profile accepted: %r" % out)


def entry_fleet_secret(variables, tmp_path):
    hostvars = {"sglang_" + k: v for k, v in base_args().items()}
    neighbour = variables.get("__neighbour__")
    hostvars.update({k: v for k, v in variables.items() if k != "__neighbour__"})
    arguments = {"secret-host": arguments_from_hostvars(hostvars)}
    if neighbour is not None:
        arguments["refused-host"] = arguments_from_hostvars(dict(hostvars, **neighbour))
    plans, refused = plan_fleet(arguments)
    written = write_plan_files(str(tmp_path / "plans"), plans)
    text = json.dumps([plans, refused], default=str) + "\n".join(table_lines(plans, refused))
    for path in written:
        with open(path) as handle:
            text += handle.read()
    assert "secret-host" in plans, refused
    return text  # only the "!" fragments are checked


ENTRIES = {
    "plan_launch": entry_plan_launch, "model_config": entry_model_config,
    "model_folder": entry_model_folder, "gpus": entry_gpus, "gpu_parser": entry_gpu_parser,
    "fleet_hostname": entry_fleet_hostname, "bench_profiles": entry_bench_profiles,
    "fleet_secret": entry_fleet_secret,
}
NAMES_HOST = set(ENTRIES) - {"fleet_hostname", "fleet_secret"}  # messages must name HOST


def check_fragments(message, fragments, must_name=None):
    flat = " ".join(message.split())
    problems = []
    if must_name and must_name not in message:
        problems.append("does not name the host %r" % must_name)
    for fragment in fragments:
        if fragment.startswith("!"):
            if fragment[1:] in message:
                problems.append("leaks %r" % fragment[1:])
        elif fragment.startswith("re:"):
            if not re.search(fragment[3:], message):
                problems.append("lacks /%s/" % fragment[3:])
        elif fragment not in message and fragment not in flat:
            problems.append("lacks %r" % fragment)
    return problems


@pytest.mark.parametrize("cls,row_id,entry,variables,expected", ROWS,
                         ids=["%s:%s" % (r[0], r[1]) for r in ROWS])
def test_hostile_input_is_refused_clearly(tmp_path, cls, row_id, entry, variables, expected):
    message, failure = None, None
    try:
        message = ENTRIES[entry](variables, tmp_path)
    except Accepted as exc:
        failure = "ACCEPTED %r: %s" % (variables, exc)
    except AssertionError:
        raise
    except Exception as exc:  # noqa: BLE001 - any other exception is a crash, not a message
        failure = "CRASHED on %r: %s: %s" % (variables, type(exc).__name__, exc)
    if failure:
        pytest.fail(failure, pytrace=False)
    problems = check_fragments(message, expected, HOST if entry in NAMES_HOST else None)
    assert not problems, "%s; message: %s" % ("; ".join(problems), message[:600])


def test_table_size():
    assert len(ROWS) >= 150
    assert len({(r[0], r[1]) for r in ROWS}) == len(ROWS), "row ids must be unique"


# Not hostile: what the guards must still let through (so that a fix does not refuse everything).
@pytest.mark.parametrize("extra", [["--enable-cache-report"], ["--log-level", "info"],
                                   ["--enable-cache-report", "--log-level=debug"]],
                         ids=" ".join)
def test_plain_extra_args_still_plan(extra):
    planned = plan_launch(dict(base_args(), extra_args=extra), host=HOST)
    assert planned["argv"][-len(extra):] == extra
