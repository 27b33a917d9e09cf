"""Hostile and bad input through the playbooks, as tables: deploy.yml --tags sglang_preflight (and
--check --diff --tags sglang_preflight,sglang_service for the rendered unit and environment file), plan.yml,
bench.yml --check, accuracy.yml --check, and values given on the command line (-e).

Every row: an id (also the inventory host name), the entry point, the variables, and the
fragments the refusal must hold. Rows of one entry point share ONE ansible-playbook run: one
inventory with a host per row, each host with one bad value; failures are read per host from the
output, so one host failing cannot hide another. Each row asserts that its host is refused, with a
message that names the host, the key and the value (fragments starting with "!" must appear
nowhere in the output: secrets; "re:" fragments are regular expressions), with no exception or
ansible-core traceback. Per run: nothing is written (the host's changed count is 0, and no file
appears under /etc/sglang, /etc/systemd/system/sglang-*, /opt/sglang, /var/lib/sglang*, or the
install root the inventory names), the good hosts still plan, the secrets appear nowhere.

Speed: every run starts at once (a small thread pool), and deploy.yml's fact gathering is served
from a jsonfile fact cache filled once from this machine's own facts (gathering=smart), so a
run costs only its tasks. The planner-level tables are tests/unit/test_hostile_inputs.py.
"""

import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from helpers import TINY, TINY_CONFIG, facts
from integration.test_plan_playbook import BIN, DOUBLES, ansible_playbook, recap

pytestmark = pytest.mark.playbook

INJECT = "ExecStartPre=/bin/sh"
EVIL = "LD_PRELOAD=/tmp/evil.so"
GPUS = facts("h100-80gb-hbm3-x1")
DROP = object()


def K(key):
    """A key as a word of its own (not part of a host name such as inj-host-newline)."""
    return r"re:(?<![\w-])(?:sglang_)?%s(?![\w-])" % re.escape(key)


# recognisable fake secrets, one per row so that a leak names its row
KEY_NL = "sk-FAKE-deploy-newline-4a1b"
KEY_LS = "sk-FAKE-deploy-u2028-8c2d"
KEY_EXTRA = "sk-FAKE-deploy-extra-3e9f"
HF_NL = "hf_FAKEdeployNewline51aa"
HF_NUL = "hf_FAKEdeployNul62bb"
KEY_PLAN_EXTRA = "sk-FAKE-plan-extra-77c3"
HF_PLAN_EXTRA = "hf_FAKEplanExtra88d4"
KEY_PLAN_GOOD = "sk-FAKE-plan-good-99e5"
HF_PLAN_GOOD = "hf_FAKEplanGoodaa16"
KEY_BENCH = "sk-FAKE-bench-profile-bb27"
KEY_TMPL = "sk-FAKE-template-good-cc38"
HF_TMPL = "hf_FAKEtemplateGooddd49"
KEY_CLI = "sk-FAKE-cli-extra-ee5a"

# the tiny test checkpoint by hub id, planned from its config.json (it has no product profile)
PLAN_BASE = {"sglang_model": TINY, "sglang_model_config": TINY_CONFIG, "sglang_gpus": GPUS,
             "sglang_attention_backend": "triton",
             "sglang_mem_fraction_static": 0.5}
LOCAL = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
DEPLOY_BASE = dict(LOCAL, **PLAN_BASE, **{
    "sglang_preflight_min_shm_gib": 0.01, "sglang_preflight_disk_headroom_gib": 0.01,
    "sglang_preflight_min_nofile": 1, "sglang_preflight_require_unlimited_memlock": False,
    "sglang_preflight_check_port": False})
TEMPLATE_BASE = dict(DEPLOY_BASE, sglang_service_systemd=False, sglang_install_group="root",
                     sglang_install_user="root")
# bench/accuracy: the client's Python exists; nothing listens on port 1, so an unchecked host
# stops at the health check
CLIENT_BASE = dict(LOCAL, **PLAN_BASE, sglang_port=1, sglang_bench_python=sys.executable,
                   sglang_accuracy_venv=os.path.dirname(os.path.dirname(sys.executable)))
INSTANCES = [("dotdot-etc", "../../etc", "../../etc"), ("trailing-newline", "main\n", "main"),
             ("absolute", "/etc/evil", "/etc/evil"), ("uppercase", "Main", "Main"),
             ("empty", "", None)]

# ------------------------------------------------------------------------------------ tables
# (id = inventory host name, entry point, variables, expected fragments)

DEPLOY = "deploy.yml --tags sglang_preflight"
DEPLOY_ROWS = [
    # injection into what becomes the unit, the environment file, the YAML config, the argv
    ("inj-served-name-newline", DEPLOY, {"sglang_served_model_name": "scout\n" + INJECT},
     ("served_model_name", INJECT)),
    ("inj-served-name-u2028", DEPLOY, {"sglang_served_model_name": "scout\u2028" + INJECT},
     ("served_model_name", INJECT)),
    ("inj-extra-value-newline", DEPLOY, {"sglang_extra_args": ["--log-level", "info\n" + INJECT]},
     ("extra_args", INJECT)),
    ("inj-host-newline", DEPLOY, {"sglang_host": "0.0.0.0\n" + INJECT}, (K("host"), INJECT)),
    ("inj-model-path-newline", DEPLOY, {"sglang_model": "/models/x\n" + INJECT}, (K("model"), INJECT)),
    ("inj-net-if-newline", DEPLOY, {"sglang_network_interface": "eth0\n" + EVIL},
     ("network_interface", EVIL)),
    ("inj-net-if-cr", DEPLOY, {"sglang_network_interface": "eth0\r" + EVIL},
     ("network_interface", EVIL)),
    ("inj-net-if-nul", DEPLOY, {"sglang_network_interface": "eth0\x00" + EVIL},
     ("network_interface", EVIL)),
    ("inj-net-if-u2028", DEPLOY, {"sglang_network_interface": "eth0\u2028" + EVIL},
     ("network_interface", EVIL)),
    ("inj-net-if-zwsp", DEPLOY, {"sglang_network_interface": "eth\u200b0"},
     ("network_interface", "eth")),
    ("inj-net-if-too-long", DEPLOY, {"sglang_network_interface": "e" * 16},
     ("network_interface", "e" * 16)),
    ("inj-net-if-path", DEPLOY, {"sglang_network_interface": "../../etc"},
     ("network_interface", "../../etc")),
    ("inj-env-value-newline", DEPLOY, {"sglang_service_environment": {"FOO": "1\n" + EVIL}},
     ("environment", EVIL)),
    ("inj-env-value-cr", DEPLOY, {"sglang_service_environment": {"FOO": "1\r" + EVIL}},
     ("environment", EVIL)),
    ("inj-env-value-nul", DEPLOY, {"sglang_service_environment": {"FOO": "1\x00" + EVIL}},
     ("environment", EVIL)),
    ("inj-env-value-u2028", DEPLOY, {"sglang_service_environment": {"FOO": "1\u2028" + EVIL}},
     ("environment", EVIL)),
    ("inj-env-value-rlo", DEPLOY, {"sglang_service_environment": {"FOO": "1\u202e" + EVIL}},
     ("environment", EVIL)),
    ("inj-env-key-newline", DEPLOY, {"sglang_service_environment": {"FOO\nLD_PRELOAD": "/tmp/e.so"}},
     ("environment", "LD_PRELOAD")),
    ("inj-env-key-invalid", DEPLOY, {"sglang_service_environment": {"1BAD-NAME": "x"}},
     ("environment", "1BAD-NAME")),
    ("inj-env-key-equals", DEPLOY, {"sglang_service_environment": {"FOO=BAR": "x"}},
     ("environment", "FOO=BAR")),
    ("inj-env-not-a-mapping", DEPLOY, {"sglang_service_environment": "FOO=1"},
     ("environment", "FOO=1")),
    ("inj-api-key-newline", DEPLOY, {"sglang_api_key": KEY_NL + "\n" + INJECT},
     ("sglang_api_key", "!" + KEY_NL)),
    ("inj-api-key-u2028", DEPLOY, {"sglang_api_key": KEY_LS + "\u2028x"},
     ("sglang_api_key", "!" + KEY_LS)),
    ("inj-hf-token-newline", DEPLOY, {"sglang_hf_token": HF_NL + "\nX"}, ("hf_token", "!" + HF_NL)),
    ("inj-hf-token-nul", DEPLOY, {"sglang_hf_token": HF_NUL + "\x00"}, ("hf_token", "!" + HF_NUL)),
    # path escape through instance names (unit, config and work-folder names)
    ("path-instance-dotdot-etc", DEPLOY, {"sglang_instance": "../../etc"},
     ("sglang_instance", "../../etc")),
    ("path-instance-absolute", DEPLOY, {"sglang_instance": "/etc/evil"}, ("sglang_instance", "/etc/evil")),
    ("path-instance-trailing-newline", DEPLOY, {"sglang_instance": "main\n"}, ("sglang_instance", "main")),
    ("path-instance-cr", DEPLOY, {"sglang_instance": "main\rx"}, ("sglang_instance", "main")),
    ("path-instance-uppercase", DEPLOY, {"sglang_instance": "Main"}, ("sglang_instance", "Main")),
    ("path-instance-too-long", DEPLOY, {"sglang_instance": "a" * 41}, ("sglang_instance", "a" * 41)),
    ("path-instance-empty", DEPLOY, {"sglang_instance": ""}, ("sglang_instance",)),
    # sglang-<instance>-<i> are the units of several servers on one host
    ("path-instance-server-suffix", DEPLOY, {"sglang_instance": "main-1"},
     ("sglang_instance", "main-1", "-<number>")),
    ("bad-replicas-more-than-gpus", DEPLOY, {"sglang_replicas_per_host": 3},
     ("replicas_per_host=3", "1 GPU(s)")),
    ("bad-replicas-word", DEPLOY, {"sglang_replicas_per_host": "two"}, ("replicas_per_host", "two")),
    ("bad-tp-size-not-a-size", DEPLOY, {"sglang_tp_size": 3}, ("tp_size=3", "use one of 1, 2, 4")),
    ("path-instance-u2028", DEPLOY, {"sglang_instance": "main\u2028"}, ("sglang_instance", "main")),
    ("path-instance-rlo", DEPLOY, {"sglang_instance": "ma\u202ein"}, ("sglang_instance", "ma")),
    ("path-instance-dotdot", DEPLOY, {"sglang_instance": ".."}, ("sglang_instance", "..")),
    ("path-instance-slash-dotdot", DEPLOY, {"sglang_instance": "main/../x"},
     ("sglang_instance", "main/../x")),
    ("path-instance-nul", DEPLOY, {"sglang_instance": "main\x00"}, ("sglang_instance", "main")),
    ("path-service-instance-dotdot", DEPLOY, {"sglang_service_instance": "../../etc"},
     ("sglang_service_instance", "../../etc")),
    ("path-service-instance-newline", DEPLOY, {"sglang_service_instance": "main\n"},
     ("sglang_service_instance", "main")),
    ("path-service-instance-absolute", DEPLOY, {"sglang_service_instance": "/etc/passwd"},
     ("sglang_service_instance", "/etc/passwd")),
    ("path-service-instance-upper", DEPLOY, {"sglang_service_instance": "UPPER"},
     ("sglang_service_instance", "UPPER")),
    ("path-service-instance-empty", DEPLOY, {"sglang_service_instance": ""},
     ("sglang_service_instance",)),
    # the extra-arguments guard
    ("extra-secret", DEPLOY, {"sglang_extra_args": ["--api-key", KEY_EXTRA]},
     ("extra_args", "--api-key", "!" + KEY_EXTRA)),
    ("extra-tp-long-alias", DEPLOY, {"sglang_extra_args": ["--tensor-parallel-size", "2"]},
     ("extra_args", "--tensor-parallel-size")),
    ("extra-config", DEPLOY, {"sglang_extra_args": ["--config", "/tmp/other.yaml"]},
     ("extra_args", "--config")),
    ("extra-unknown", DEPLOY, {"sglang_extra_args": ["--no-such-flag"]}, ("extra_args", "--no-such-flag")),
    # a local model folder whose config.json preflight reads on the host
    ("cfg-heads-zero", DEPLOY, {"__config__": {"num_attention_heads": 0}}, ("num_attention_heads",)),
    ("cfg-kv-heads-zero", DEPLOY, {"__config__": {"num_key_value_heads": 0}}, ("num_key_value_heads",)),
    ("cfg-layers-negative", DEPLOY, {"__config__": {"num_hidden_layers": -7}},
     ("num_hidden_layers", "-7")),
    ("cfg-max-positions-zero", DEPLOY, {"__config__": {"max_position_embeddings": 0}},
     ("max_position_embeddings",)),
    ("cfg-architectures-string", DEPLOY, {"__config__": {"architectures": "Llama4ForCausalLM"}},
     ("architectures",)),
    ("cfg-missing-hidden-size", DEPLOY, {"__config__": {"hidden_size": DROP}}, ("hidden_size",)),
    ("cfg-text-config-list", DEPLOY, {"__config__": {"text_config": [1]}}, ("text_config",)),
    ("cfg-vision-config-string", DEPLOY,
     {"__config__": {"architectures": ["Llama4ForConditionalGeneration"], "text_config": "TINY",
                     "vision_config": "abc"}}, ("vision_config",)),
    ("cfg-invalid-json", DEPLOY, {"__config__": "{\"hidden_size\": "}, ("config.json",)),
    ("cfg-json-list", DEPLOY, {"__config__": "[]"}, ("config.json",)),
    ("cfg-missing-file", DEPLOY, {"__config__": None}, ("config.json",)),
    # recorded GPU facts
    ("gpu-count-zero", DEPLOY, {"sglang_gpus": dict(GPUS, count=0)}, (K("count"), r"re:\b0\b")),
    ("gpu-count-string", DEPLOY, {"sglang_gpus": dict(GPUS, count="eight")}, (K("count"), "eight")),
    ("gpu-memory-negative", DEPLOY, {"sglang_gpus": dict(GPUS, memory_mib=-1)}, ("memory_mib", "-1")),
    ("gpu-memory-string", DEPLOY, {"sglang_gpus": dict(GPUS, memory_mib="lots")}, ("memory_mib", "lots")),
    ("gpu-facts-list", DEPLOY, {"sglang_gpus": [GPUS]}, (K("gpus"),)),
    ("gpu-family-missing", DEPLOY, {"sglang_gpus": {k: v for k, v in GPUS.items() if k != "family"}},
     (K("family"),)),
    ("gpu-vendor-newline", DEPLOY, {"sglang_gpus": dict(GPUS, vendor="nvidia\n" + INJECT)},
     (K("vendor"), INJECT)),
    # wrong types and ranges given in the inventory
    ("val-multimodal-maybe", DEPLOY, {"sglang_multimodal": "maybe"}, (K("multimodal"), "maybe")),
    ("val-tool-calling-two", DEPLOY, {"sglang_tool_calling": "2"}, ("tool_calling", "2")),
    ("val-check-port-maybe", DEPLOY, {"sglang_preflight_check_port": "maybe"},
     ("sglang_preflight_check_port", "maybe")),
    ("val-memlock-sometimes", DEPLOY, {"sglang_preflight_require_unlimited_memlock": "sometimes"},
     ("sglang_preflight_require_unlimited_memlock", "sometimes")),
    ("val-min-nofile-word", DEPLOY, {"sglang_preflight_min_nofile": "lots"},
     ("sglang_preflight_min_nofile", "lots")),
    ("val-port-above", DEPLOY, {"sglang_port": 70000}, (K("port"), "70000", "65535")),
    ("val-port-word", DEPLOY, {"sglang_port": "abc"}, (K("port"), "abc")),
    ("val-version-unknown", DEPLOY, {"sglang_version": "9.9.9"}, ("sglang_version", "9.9.9", "0.5.23")),
    ("val-version-latest", DEPLOY, {"sglang_version": "latest"}, ("sglang_version", "latest")),
]

PLAN = "plan.yml"
PLAN_ROWS = [
    ("p-served-name-newline", PLAN, {"sglang_served_model_name": "scout\n" + INJECT},
     ("served_model_name", INJECT)),
    ("p-served-name-rlo", PLAN, {"sglang_served_model_name": "scout\u202e" + INJECT},
     ("served_model_name", INJECT)),
    ("p-served-name-zwsp", PLAN, {"sglang_served_model_name": "sco\u200but"},
     ("served_model_name", "sco")),
    # lm-eval's model_args is comma-separated: a comma would add base_url=... (accuracy.yml)
    ("p-served-name-comma", PLAN, {"sglang_served_model_name": "tiny,base_url=http://evil.example"},
     ("served_model_name", "base_url=http://evil.example")),
    ("p-served-name-option", PLAN, {"sglang_served_model_name": "--api-key"},
     ("served_model_name", "--api-key")),
    ("p-host-newline", PLAN, {"sglang_host": "0.0.0.0\n" + INJECT}, (K("host"), INJECT)),
    ("p-dist-init-newline", PLAN, {"sglang_nnodes": 2, "sglang_dist_init_addr": "10.0.0.1\n:5000"},
     ("dist_init_addr", "10.0.0.1")),
    ("p-extra-value-newline", PLAN, {"sglang_extra_args": ["--log-level", "info\n" + INJECT]},
     ("extra_args", INJECT)),
    ("p-extra-secret-prefix", PLAN, {"sglang_extra_args": ["--api-ke=" + KEY_PLAN_EXTRA]},
     ("extra_args", "--api-ke", "!" + KEY_PLAN_EXTRA)),
    ("p-extra-hf-token-prefix", PLAN, {"sglang_extra_args": ["--hf-tok", HF_PLAN_EXTRA]},
     ("extra_args", "--hf-tok", "!" + HF_PLAN_EXTRA)),
    ("p-extra-tp-size", PLAN, {"sglang_extra_args": ["--tp-size", "2"]}, ("extra_args", "--tp-size")),
    ("p-extra-tensor-parallel", PLAN, {"sglang_extra_args": ["--tensor-parallel-size", "2"]},
     ("extra_args", "--tensor-parallel-size")),
    ("p-extra-model", PLAN, {"sglang_extra_args": ["--model", "x"]}, ("extra_args", "--model")),
    ("p-extra-context-eq", PLAN, {"sglang_extra_args": ["--context-len=4096"]},
     ("extra_args", "--context-len")),
    ("p-extra-config", PLAN, {"sglang_extra_args": ["--config", "other.yaml"]}, ("extra_args", "--config")),
    ("p-extra-mem-frac", PLAN, {"sglang_extra_args": ["--mem-frac", "0.9"]}, ("extra_args", "--mem-frac")),
    ("p-extra-port", PLAN, {"sglang_extra_args": ["--port", "1"]}, ("extra_args", "--port")),
    ("p-extra-host-eq", PLAN, {"sglang_extra_args": ["--host=0.0.0.0"]}, ("extra_args", "--host")),
    ("p-extra-unknown", PLAN, {"sglang_extra_args": ["--no-such-flag"]}, ("extra_args", "--no-such-flag")),
    # a value without an option is named by its index, not shown (it may be a secret)
    ("p-extra-bare-value", PLAN, {"sglang_extra_args": ["foo"]}, ("extra_args[0]", "not shown")),
    ("p-cfg-heads-zero", PLAN, {"__model_config__": {"num_attention_heads": 0}}, ("num_attention_heads",)),
    ("p-cfg-kv-heads-zero", PLAN, {"__model_config__": {"num_key_value_heads": 0}},
     ("num_key_value_heads",)),
    ("p-cfg-layers-negative", PLAN, {"__model_config__": {"num_hidden_layers": -7}},
     ("num_hidden_layers", "-7")),
    ("p-cfg-max-positions-zero", PLAN, {"__model_config__": {"max_position_embeddings": 0}},
     ("max_position_embeddings",)),
    ("p-cfg-architectures-string", PLAN, {"__model_config__": {"architectures": "Llama4ForCausalLM"}},
     ("architectures",)),
    ("p-cfg-missing-hidden-size", PLAN, {"__model_config__": {"hidden_size": DROP}}, ("hidden_size",)),
    ("p-cfg-text-config-list", PLAN, {"__model_config__": {"text_config": [1]}}, ("text_config",)),
    ("p-cfg-huge-layers", PLAN, {"__model_config__": {"num_hidden_layers": 10 ** 12}},
     ("num_hidden_layers",)),
    ("p-cfg-not-a-mapping", PLAN, {"sglang_model": "/models/x", "sglang_model_config": [1, 2]},
     ("model_config",)),
    ("p-gpu-count-zero", PLAN, {"sglang_gpus": dict(GPUS, count=0)}, (K("count"), r"re:\b0\b")),
    ("p-gpu-count-string", PLAN, {"sglang_gpus": dict(GPUS, count="eight")}, (K("count"), "eight")),
    ("p-gpu-memory-negative", PLAN, {"sglang_gpus": dict(GPUS, memory_mib=-1)}, ("memory_mib", "-1")),
    ("p-gpu-memory-string", PLAN, {"sglang_gpus": dict(GPUS, memory_mib="lots")}, ("memory_mib", "lots")),
    ("p-gpu-facts-list", PLAN, {"sglang_gpus": [GPUS]}, (K("gpus"),)),
    ("p-gpu-family-missing", PLAN, {"sglang_gpus": {k: v for k, v in GPUS.items() if k != "family"}},
     (K("family"),)),
    ("p-gpu-name-newline", PLAN, {"sglang_gpus": dict(GPUS, name="NVIDIA H100\n" + INJECT)},
     (K("name"), INJECT)),
    ("p-val-port-above", PLAN, {"sglang_port": 70000}, (K("port"), "70000", "65535")),
    ("p-val-port-word", PLAN, {"sglang_port": "abc"}, (K("port"), "abc")),
    ("p-val-version-unknown", PLAN, {"sglang_version": "9.9.9"}, ("sglang_version", "9.9.9")),
    ("p-val-multimodal-maybe", PLAN, {"sglang_multimodal": "maybe"}, (K("multimodal"), "maybe")),
    ("p-val-context-negative", PLAN, {"sglang_context_length": -1}, ("context_length", "-1")),
    ("p-val-nnodes-zero", PLAN, {"sglang_nnodes": 0}, (K("nnodes"), r"re:\b0\b")),
]
# planned beside the refused ones: must still be planned; their secrets must appear nowhere
PLAN_GOOD = {"p-good-with-secrets": {"sglang_api_key": KEY_PLAN_GOOD, "sglang_hf_token": HF_PLAN_GOOD},
             "p-good-plain": {}}

HOSTNAMES = "plan.yml (inventory host names -> plan files)"
HOSTNAME_ROWS = [
    ("name-dotdot-escape", HOSTNAMES, {"name": "../escape-up"}, ("escape-up", "name")),
    ("name-slash", HOSTNAMES, {"name": "sub/dir-host"}, ("sub/dir-host", "name")),
    ("name-dotdot", HOSTNAMES, {"name": ".."}, (K("name"),)),
    ("name-dot", HOSTNAMES, {"name": "."}, (K("name"),)),
    ("name-absolute", HOSTNAMES, {"name": "{tmp}/abs-escape"}, ("abs-escape", "name")),
    ("name-too-long", HOSTNAMES, {"name": "h" * 300}, ("hhhhhhhhhh", "name")),
    ("name-leading-dash", HOSTNAMES, {"name": "-e"}, ("-e", "name")),
    ("name-newline", HOSTNAMES, {"name": "nl\nhost"}, ("nl", "name")),
]

BENCH = "bench.yml --check"
ACCURACY = "accuracy.yml --check"
CLIENT_ROWS = (
    [("b-instance-" + i, BENCH, {"sglang_instance": v}, ("sglang_instance",) + ((m,) if m else ()))
     for i, v, m in INSTANCES]
    + [("a-instance-" + i, ACCURACY, {"sglang_instance": v}, ("sglang_instance",) + ((m,) if m else ()))
       for i, v, m in INSTANCES]
    + [
        ("b-profile-name-newline", BENCH, {"sglang_bench_profiles": [
            {"name": "latency\n", "num_prompts": 1, "max_concurrency": 1, "input_len": 8,
             "output_len": 8}]}, (K("name"), "latency")),
        ("b-profile-extra-secret", BENCH, {"sglang_bench_profiles": [
            {"name": "latency", "num_prompts": 1, "max_concurrency": 1, "input_len": 8,
             "output_len": 8, "extra_args": ["--api-key", KEY_BENCH]}]},
         ("extra_args", "!" + KEY_BENCH)),
        ("b-work-dir-escape", BENCH, {"sglang_bench_work_dir": "/var/lib/sglang-bench/../../../etc"},
         ("sglang_bench_work_dir", "../../../etc")),
        ("a-gen-kwargs-newline", ACCURACY, {"sglang_accuracy_gen_kwargs": "max_gen_toks=8\n--x"},
         ("sglang_accuracy_gen_kwargs", "max_gen_toks")),
        ("a-min-word", ACCURACY, {"sglang_accuracy_min": "high"}, ("sglang_accuracy_min", "high")),
    ]
)

TEMPLATE = "deploy.yml --check --diff --tags sglang_preflight,sglang_service"
# variables that reach the unit file and the environment file; the marker (with the row id in
# it) must never appear at the start of a rendered line
TEMPLATE_ROWS = [
    ("t-env-value", TEMPLATE, {"sglang_service_environment": {"FOO": "1\nLD_PRELOAD={marker}"}},
     ("environment",)),
    ("t-env-key", TEMPLATE, {"sglang_service_environment": {"FOO\nLD_PRELOAD": "{marker}"}},
     ("environment",)),
    ("t-env-value-cr", TEMPLATE, {"sglang_service_environment": {"FOO": "1\rLD_PRELOAD={marker}"}},
     ("environment",)),
    ("t-net-if", TEMPLATE, {"sglang_network_interface": "eth0\nLD_PRELOAD={marker}"},
     ("network_interface",)),
    ("t-hf-home", TEMPLATE, {"sglang_weights_hf_home": "/var/lib/x\nLD_PRELOAD={marker}"},
     ("hf_home",)),
    ("t-service-instance", TEMPLATE, {"sglang_service_instance": "main\nExecStartPre={marker}"},
     ("sglang_service_instance",)),
    ("t-install-root", TEMPLATE, {"sglang_install_root": "/opt/x\nExecStartPre={marker}"},
     ("install_root",)),
    ("t-install-user", TEMPLATE, {"sglang_install_user": "root\nExecStartPre={marker}"},
     ("install_user",)),
    ("t-limit-memlock", TEMPLATE, {"sglang_service_limit_memlock": "infinity\nExecStartPre={marker}"},
     ("limit_memlock",)),
    ("t-supplementary-groups", TEMPLATE,
     {"sglang_service_supplementary_groups": ["video\nExecStartPre={marker}"]},
     ("supplementary_groups",)),
    ("t-timeout-stop", TEMPLATE, {"sglang_service_timeout_stop": "120\nExecStartPre={marker}"},
     ("timeout_stop",)),
]
TEMPLATE_GOOD = {"t-good-with-secrets": {"sglang_api_key": KEY_TMPL, "sglang_hf_token": HF_TMPL},
                 # two servers on a two-GPU host: two units, each its config (port, GPU) and URL
                 "t-good-two-servers": {"sglang_gpus": facts("derived-h100-x2"),
                                        "sglang_replicas_per_host": 2, "sglang_instance": "duo"}}

# values given with -e (strings), one run each on a good host; ("OK",) = must work
CLI = "-e (one run each)"
CLI_ROWS = [
    ("cli-serial-word", CLI, {"playbook": "deploy.yml", "e": "sglang_serial=abc"}, ("sglang_serial", "abc")),
    ("cli-serial-negative", CLI, {"playbook": "deploy.yml", "e": "sglang_serial=-1"},
     ("sglang_serial", "-1")),
    ("cli-max-fail-negative", CLI, {"playbook": "deploy.yml", "e": "sglang_max_fail_percentage=-1"},
     ("sglang_max_fail_percentage", "-1")),
    ("cli-max-fail-word", CLI, {"playbook": "deploy.yml", "e": "sglang_max_fail_percentage=abc"},
     ("sglang_max_fail_percentage", "abc")),
    ("cli-max-fail-above", CLI, {"playbook": "deploy.yml", "e": "sglang_max_fail_percentage=150"},
     ("sglang_max_fail_percentage", "150")),
    ("cli-min-nofile-65536", CLI, {"playbook": "deploy.yml", "e": "sglang_preflight_min_nofile=65536"},
     ("OK-OR", "65536", "open files")),
    ("cli-min-nofile-1", CLI, {"playbook": "deploy.yml", "e": "sglang_preflight_min_nofile=1"}, ("OK",)),
    ("cli-version-unknown", CLI, {"playbook": "deploy.yml", "e": "sglang_version=9.9.9"},
     ("sglang_version", "9.9.9", "0.5.23")),
    ("cli-port-above", CLI, {"playbook": "deploy.yml", "e": "sglang_port=70000"},
     (K("port"), "70000", "65535")),
    ("cli-port-word", CLI, {"playbook": "deploy.yml", "e": "sglang_port=abc"}, (K("port"), "abc")),
    ("cli-multimodal-maybe", CLI, {"playbook": "deploy.yml", "e": "sglang_multimodal=maybe"},
     (K("multimodal"), "maybe")),
    ("cli-check-port-maybe", CLI, {"playbook": "deploy.yml", "e": "sglang_preflight_check_port=maybe"},
     ("sglang_preflight_check_port", "maybe")),
    ("cli-memlock-false-string", CLI,
     {"playbook": "deploy.yml", "e": "sglang_preflight_require_unlimited_memlock=false"}, ("OK",)),
    ("cli-tool-calling-yes", CLI, {"playbook": "deploy.yml", "e": "sglang_tool_calling=yes"}, ("OK",)),
    ("cli-plan-port-above", CLI, {"playbook": "playbooks/plan.yml", "e": "sglang_port=70000"},
     (K("port"), "70000", "65535")),
    ("cli-plan-extra-args-string", CLI,
     {"playbook": "playbooks/plan.yml", "e": "sglang_extra_args=--api-key=" + KEY_CLI},
     ("extra_args", "!" + KEY_CLI)),
]

ALL_ROWS = DEPLOY_ROWS + PLAN_ROWS + HOSTNAME_ROWS + CLIENT_ROWS + TEMPLATE_ROWS + CLI_ROWS

# ------------------------------------------------------------------------------------ running

# an exception's text instead of a message
CRASH_MARKERS = ("Traceback", "Unexpected Exception", "Error rendering", "not supported between",
                 "object has no attribute", "is not iterable", "unhashable type",
                 "templating type error", "invalid literal for", "could not convert string",
                 "list index out of range", "this is probably a bug", "filter plugin")
# Python/ansible-core internals shown to the user
INTERNAL_MARKERS = ("_AnsibleTagged", "NoneType", "<class '")
# a loop item's label may hold a raw newline: the JSON is on the last line of the result
RESULT_RE = re.compile(r"^(?:fatal|failed): \[(?P<host>[^\]\n]*?)(?: -> [^\]\n]+)?\](?P<rest>.*?)=> "
                       r"(?P<json>\{[^\n]*\})[ \t]*$", re.M | re.S)
INSTALL_TASK_RE = re.compile(r"TASK \[llmops\.sglang\.sglang_(install|weights|service|smoke) : "
                             r"(?!Validating arguments)")
WATCHED = ("/etc/sglang", "/opt/sglang", "/var/lib/sglang", "/var/lib/sglang-bench")


def watched_files():
    out = set()
    for top in WATCHED:
        for dirpath, dirs, files in os.walk(top):
            out.update(os.path.join(dirpath, n) for n in dirs + files)
        if os.path.lexists(top):
            out.add(top)
    out.update(glob.glob("/etc/systemd/system/sglang*"))
    out.update(p for p in glob.glob("/etc/*") if "evil" in p or "escape" in p)
    return out


class Run:
    """One ansible-playbook run, read per host."""

    def __init__(self, proc, hosts, extra=None):
        self.rc = proc.returncode
        self.out = proc.stdout + "\n" + proc.stderr
        self.stdout = proc.stdout
        self.hosts = hosts
        self.recap = recap(proc.stdout)
        self.results = []  # (host, result dict)
        for m in RESULT_RE.finditer(proc.stdout):
            try:
                self.results.append((m.group("host"), json.loads(m.group("json"))))
            except ValueError:
                self.results.append((m.group("host"), {"msg": m.group("json")}))
        self.extra = extra or {}

    def messages(self, host):
        """Failure messages of this host: its own results, and any message line that names it
        (plan.yml fails once, on one host, listing every refused host)."""
        named = host_pattern(host)
        out = []
        for result_host, result in self.results:
            msgs = result.get("msg", "")
            several = isinstance(msgs, list)
            for msg in msgs if several else [msgs]:
                msg = msg if isinstance(msg, str) else json.dumps(msg)
                if "exception" in result:
                    msg += " [exception: %s]" % str(result["exception"])[-300:]
                if result_host == host and not several:
                    out.append((msg, True))
                elif named.search(msg):
                    out.append((msg, False))
        return out

    def failed(self, host):
        return self.recap.get(host, {}).get("failed", 0) > 0 or bool(self.messages(host))

    def log(self, path):
        with open(path, "w") as handle:
            handle.write(self.out)


def host_pattern(host):
    forms = {host, json.dumps(host)[1:-1], repr(host)[1:-1]}
    return re.compile("|".join(r"(?<![\w/.-])%s(?![\w/-])" % re.escape(f) for f in forms))


def names_host(message, host):
    return host_pattern(host).search(message) is not None


def problems_with(run, host, fragments):
    """What is wrong with the refusal of `host` (empty when it is clear)."""
    negatives = [f[1:] for f in fragments if f.startswith("!")]
    leaks = ["leaks %r" % s for s in negatives if s in run.out]
    messages = run.messages(host)
    if not messages:
        where = run.recap.get(host)
        return leaks + ["NOT REFUSED (%s, rc %d)" % (
            "recap %s" % where if where else "no failure names it", run.rc)]
    best = None
    for msg, attributed in messages:
        flat = " ".join(msg.split())
        missing = []
        if not attributed and not names_host(msg, host):
            missing.append("the host")
        for fragment in fragments:
            if fragment.startswith("!"):
                continue
            if fragment.startswith("re:"):
                if not re.search(fragment[3:], msg):
                    missing.append("/%s/" % fragment[3:])
            elif fragment not in msg and fragment not in flat:
                missing.append(repr(fragment))
        crashes = [c for c in CRASH_MARKERS if c in msg]
        internal = [c for c in INTERNAL_MARKERS if c in msg]
        score = (len(crashes), len(missing), len(internal))
        if best is None or score < best[0]:
            best = (score, msg, missing, crashes, internal)
    _score, msg, missing, crashes, internal = best
    out = list(leaks)
    if crashes:
        out.append("CRASH %s" % crashes)
    if internal:
        out.append("INTERNALS SHOWN %s" % internal)
    if missing:
        out.append("message lacks %s" % ", ".join(missing))
    if out:
        out.append("message: %s" % " ".join(msg.split())[:700])
    return out


def write_inventory(path, hosts):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"all": {"children": {"sglang": {"hosts": hosts}}}},
                                   allow_unicode=False))
    return str(path)


def _patched_config(changes):
    config = dict(TINY_CONFIG)
    for key, value in changes.items():
        if value is DROP:
            config.pop(key, None)
        else:
            config[key] = value
    if config.get("text_config") == "TINY":
        config["text_config"] = dict(TINY_CONFIG)
    return config


def deploy_hosts(base, rows, models_dir, install_root):
    hosts = {}
    for row_id, _entry, variables, _expected in rows:
        host = dict(base, sglang_install_root=install_root)
        for key, value in variables.items():
            if key == "__config__":
                folder = models_dir / ("m-" + row_id)
                folder.mkdir(parents=True)
                if isinstance(value, dict):
                    (folder / "config.json").write_text(json.dumps(_patched_config(value)))
                elif isinstance(value, str):
                    (folder / "config.json").write_text(value)
                host["sglang_model"] = str(folder)
            else:
                host[key] = value
        hosts[row_id] = host
    return hosts


def fill_fact_cache(cache_dir, names):
    """This machine's own facts, cached under every host name (gathering=smart skips them)."""
    env = fact_env(cache_dir)
    subprocess.run([os.path.join(BIN, "ansible"), "-i", "localhost,", "-c", "local", "localhost",
                    "-e", "ansible_python_interpreter=%s" % sys.executable, "-m",
                    "ansible.builtin.gather_facts"], env=dict(os.environ, **env), check=True,
                   capture_output=True, text=True, timeout=120)
    [seed] = [n for n in os.listdir(cache_dir) if n.endswith("localhost")]
    prefix = seed[:-len("localhost")]
    with open(os.path.join(cache_dir, seed)) as handle:
        text = handle.read()
    for name in names:
        with open(os.path.join(cache_dir, prefix + name), "w") as handle:
            handle.write(text)


def fact_env(cache_dir):
    return {"ANSIBLE_CACHE_PLUGIN": "jsonfile", "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(cache_dir),
            "ANSIBLE_GATHERING": "smart", "ANSIBLE_PIPELINING": "1"}


def record_client_plan(base, env):
    """The deployed-plan record of CLIENT_BASE (as the service role writes it) in a folder of its
    own; returns the folder."""
    plans, config_dir = base / "client-plan", base / "client-etc"
    inv = write_inventory(base / "client" / "hosts.yml", {"client": dict(CLIENT_BASE)})
    ansible_playbook("-i", inv, "playbooks/plan.yml", "-e", "sglang_plan_dir=%s" % plans, env=env)
    planned = json.loads((plans / "client.json").read_text())
    config_dir.mkdir()
    (config_dir / "main.plan.json").write_text(json.dumps(dict(
        {k: planned[k] for k in ("command", "argv", "plan")}, instance="main",
        unit="sglang-main.service", sglang_version=planned["plan"]["sglang_version"],
        ranks=["client"], previous=None)))
    return str(config_dir)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every ansible-playbook run of this module, started together."""
    base = tmp_path_factory.mktemp("hostile")
    cache = base / "facts"
    cache.mkdir()
    install_root = str(base / "opt-sglang")
    env = dict(fact_env(cache), PATH=DOUBLES + os.pathsep + BIN + os.pathsep + os.environ["PATH"],
               NVIDIA_SMI_DOUBLE_FIXTURE="h100-80gb-hbm3-x1")

    deploy_inv = write_inventory(base / "deploy" / "hosts.yml", deploy_hosts(
        DEPLOY_BASE, DEPLOY_ROWS, base / "models", install_root))

    plan_hosts = {}
    for row_id, _entry, variables, _expected in PLAN_ROWS:
        host = dict(PLAN_BASE)
        for key, value in variables.items():
            if key == "__model_config__":
                host.update(sglang_model="/models/" + row_id, sglang_model_config=_patched_config(value))
            else:
                host[key] = value
        plan_hosts[row_id] = host
    for name, variables in PLAN_GOOD.items():
        plan_hosts[name] = dict(PLAN_BASE, **variables)
    plan_inv = write_inventory(base / "plan" / "hosts.yml", plan_hosts)

    names_dir = base / "names"
    name_hosts = {"good-name": dict(PLAN_BASE)}
    for _row_id, _entry, variables, _expected in HOSTNAME_ROWS:
        name_hosts[variables["name"].format(tmp=str(names_dir))] = dict(PLAN_BASE)
    names_inv = write_inventory(names_dir / "inventory" / "hosts.yml", name_hosts)

    # bench.yml and accuracy.yml read the plan deploy.yml recorded: one for them all
    client_base = dict(CLIENT_BASE, sglang_config_dir=record_client_plan(base, env))
    bench_inv = write_inventory(base / "bench" / "hosts.yml", {
        r[0]: dict(client_base, **r[2]) for r in CLIENT_ROWS if r[1] == BENCH})
    accuracy_inv = write_inventory(base / "accuracy" / "hosts.yml", {
        r[0]: dict(client_base, **r[2]) for r in CLIENT_ROWS if r[1] == ACCURACY})

    template_hosts = deploy_hosts(TEMPLATE_BASE, [
        (r[0], r[1], json.loads(json.dumps(r[2]).replace("{marker}", "/tmp/evil-" + r[0])), r[3])
        for r in TEMPLATE_ROWS], base / "models", install_root)
    for name, variables in TEMPLATE_GOOD.items():
        template_hosts[name] = dict(TEMPLATE_BASE, sglang_install_root=install_root, **variables)
    template_inv = write_inventory(base / "template" / "hosts.yml", template_hosts)

    cli_inv = write_inventory(base / "cli" / "hosts.yml", {
        "cli-host": dict(DEPLOY_BASE, sglang_install_root=install_root)})

    fill_fact_cache(str(cache), list(template_hosts) + [r[0] for r in DEPLOY_ROWS] + ["cli-host"])

    jobs = {
        DEPLOY: (["-i", deploy_inv, "deploy.yml", "--tags", "sglang_preflight"], None),
        PLAN: (["-i", plan_inv, "playbooks/plan.yml", "-e", "sglang_plan_dir=%s" % (base / "plans")],
               None),
        HOSTNAMES: (["-i", names_inv, "playbooks/plan.yml", "-e",
                     "sglang_plan_dir=%s" % (names_dir / "plans")], None),
        BENCH: (["-i", bench_inv, "playbooks/bench.yml", "--check", "-e",
                 "sglang_reports_root=%s" % (base / "reports")], None),
        ACCURACY: (["-i", accuracy_inv, "playbooks/accuracy.yml", "--check", "-e",
                    "sglang_reports_root=%s" % (base / "reports")], None),
        TEMPLATE: (["-i", template_inv, "deploy.yml", "--check", "--diff", "--tags",
                    "sglang_preflight,sglang_service"], None),
    }
    for row_id, _entry, variables, _expected in CLI_ROWS:
        args = ["-i", cli_inv, variables["playbook"], "-e", variables["e"]]
        if variables["playbook"] == "deploy.yml":
            args += ["--tags", "sglang_preflight"]
        else:
            args += ["-e", "sglang_plan_dir=%s" % (base / ("plans-" + row_id))]
        jobs[row_id] = (args, None)

    before = watched_files()
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(ansible_playbook, *args, env=env, check=False)
                   for name, (args, _job) in jobs.items()}
        done = {name: Run(f.result(), None) for name, f in futures.items()}
    (base / "logs").mkdir()
    for name, run in done.items():
        run.log(str(base / "logs" / (re.sub(r"[^\w.-]+", "_", name) + ".log")))
    done["__base__"] = base
    done["__new_files__"] = sorted(watched_files() - before)
    done["__install_root__"] = install_root
    done["__names_dir__"] = names_dir
    return done


# ------------------------------------------------------------------------------------ tests

def row_ids(rows):
    return [r[0] for r in rows]


@pytest.mark.parametrize("row_id,entry,variables,expected", DEPLOY_ROWS + PLAN_ROWS + CLIENT_ROWS,
                         ids=row_ids(DEPLOY_ROWS + PLAN_ROWS + CLIENT_ROWS))
def test_batch_row_is_refused_clearly(runs, row_id, entry, variables, expected):
    run = runs[entry]
    problems = problems_with(run, row_id, expected)
    assert not problems, "%s [%s]: %s" % (row_id, entry, "; ".join(problems))
    if entry == PLAN:
        assert not os.path.exists(str(runs["__base__"] / "plans" / (row_id + ".json"))), \
            "a plan file was written for the refused host"


@pytest.mark.parametrize("row_id,entry,variables,expected", HOSTNAME_ROWS, ids=row_ids(HOSTNAME_ROWS))
def test_host_name_that_cannot_be_a_plan_file(runs, row_id, entry, variables, expected):
    run = runs[entry]
    names_dir = runs["__names_dir__"]
    name = variables["name"].format(tmp=str(names_dir))
    stray = sorted(p for p in glob.glob(str(names_dir) + "/**/*", recursive=True)
                   if os.path.isfile(p) and not p.startswith(str(names_dir / "plans") + os.sep)
                   and not p.startswith(str(names_dir / "inventory") + os.sep))
    stray += list(glob.glob(str(names_dir.parent) + "/*.json"))
    assert not stray, "files written outside the plan folder: %s" % stray
    assert os.path.exists(str(names_dir / "plans" / "good-name.json")), run.out[-2000:]
    problems = problems_with(run, name, expected)
    assert not problems, "%s: %s" % (row_id, "; ".join(problems))


@pytest.mark.parametrize("row_id,entry,variables,expected", TEMPLATE_ROWS, ids=row_ids(TEMPLATE_ROWS))
def test_template_value_is_refused_before_it_renders(runs, row_id, entry, variables, expected):
    run = runs[entry]
    marker = "/tmp/evil-" + row_id
    injected = [line for line in run.out.splitlines()
                if marker in line and re.match(r"^\+?\s*(LD_PRELOAD|ExecStartPre)=", line)]
    # a value with a line break renders as a line of its own (str.splitlines also splits on \r)
    for text in run.out.split("\n"):
        for part in text.splitlines()[1:]:
            if marker in part and re.match(r"^\s*(LD_PRELOAD|ExecStartPre)=", part):
                injected.append(part)
    problems = problems_with(run, row_id, expected + (marker.split("/")[-1],))
    if injected:
        problems.insert(0, "RENDERED an injected line %r" % injected[0])
    assert not problems, "%s: %s" % (row_id, "; ".join(problems))


@pytest.mark.parametrize("row_id,entry,variables,expected", CLI_ROWS, ids=row_ids(CLI_ROWS))
def test_command_line_value(runs, row_id, entry, variables, expected):
    run = runs[row_id]
    crashes = [c for c in CRASH_MARKERS if c in run.out]
    if expected[0] == "OK":
        assert run.rc == 0 and not crashes, "%s: must work; rc %d, %s: %s" % (
            row_id, run.rc, crashes, " ".join(run.out.split())[-1500:])
        return
    if expected[0] == "OK-OR":
        if run.rc == 0 and not crashes:
            return
        expected = expected[1:]
    host = "cli-host"
    problems = problems_with(run, host, expected)
    if problems and run.rc != 0 and not run.results:
        # the run stopped before any host (a play keyword): the message is all there is
        flat = " ".join(run.out.split())
        missing = [f for f in expected if not f.startswith("!") and f not in flat]
        problems = ["STOPPED BEFORE ANY HOST%s%s: %s" % (
            " CRASH %s" % crashes if crashes else "",
            " lacking %s" % missing if missing else "", flat[-600:])] if crashes or missing else []
    assert run.rc != 0, "%s: not refused (rc 0)" % row_id
    assert not problems, "%s: %s" % (row_id, "; ".join(problems))
    if variables["playbook"] == "deploy.yml":
        assert not INSTALL_TASK_RE.search(run.stdout), "a role after preflight ran"
        assert all(r["changed"] == 0 for r in run.recap.values()), run.recap


@pytest.mark.parametrize("entry", [DEPLOY, PLAN, HOSTNAMES, BENCH, ACCURACY, TEMPLATE])
def test_batch_run_has_no_traceback(runs, entry):
    run = runs[entry]
    crashes = [c for c in ("Traceback", "Unexpected Exception", "this is probably a bug")
               if c in run.out]
    assert not crashes, "%s: %s\n%s" % (entry, crashes, run.out[-3000:])


def test_nothing_written_on_the_host(runs):
    assert runs["__new_files__"] == [], "files appeared: %s" % runs["__new_files__"]
    assert not os.path.exists(runs["__install_root__"])
    for entry in (DEPLOY, TEMPLATE):
        run = runs[entry]
        assert not re.search(r"TASK \[llmops\.sglang\.sglang_(install|weights|smoke) : (?!Validating)",
                             run.stdout), "a role after preflight ran in %s" % entry
    assert not INSTALL_TASK_RE.search(runs[DEPLOY].stdout)
    deploy = runs[DEPLOY]
    assert all(r["changed"] == 0 for r in deploy.recap.values()), deploy.recap


def test_good_hosts_still_plan_beside_refused_ones(runs):
    plans = runs["__base__"] / "plans"
    for name in PLAN_GOOD:
        assert (plans / (name + ".json")).exists(), runs[PLAN].out[-3000:]
    assert runs[PLAN].rc != 0


def test_secrets_appear_nowhere(runs):
    secrets = [KEY_NL, KEY_LS, KEY_EXTRA, HF_NL, HF_NUL, KEY_PLAN_EXTRA, HF_PLAN_EXTRA,
               KEY_PLAN_GOOD, HF_PLAN_GOOD, KEY_BENCH, KEY_TMPL, HF_TMPL, KEY_CLI]
    leaks = []
    for name, run in runs.items():
        if isinstance(run, Run):
            leaks += ["%s in the output of %s" % (s, name) for s in secrets if s in run.out]
    for path in glob.glob(str(runs["__base__"]) + "/**/*.json", recursive=True):
        if "/facts/" in path:
            continue
        with open(path, errors="replace") as handle:
            text = handle.read()
        leaks += ["%s in %s" % (s, path) for s in secrets if s in text]
    assert not leaks, leaks


def test_template_run_renders_the_good_host(runs):
    """The template rows mean something only if rendering shows in the diff."""
    out = runs[TEMPLATE].out
    assert "HF_HUB_OFFLINE=1" in out and "ExecStart=" in out, out[-3000:]


def test_template_run_renders_each_server_of_a_host(runs):
    """Two servers on one host: a unit each, started with its own config and waiting on its own port."""
    out = runs[TEMPLATE].out
    for i, port in ((0, 30000), (1, 30001)):
        assert "changed: [t-good-two-servers] => (item=sglang-duo-%d.service)" % i in out, out[-3000:]
        assert "--config /etc/sglang/duo-%d.yaml" % i in out
        assert "wait-ready.py http://127.0.0.1:%d/health" % port in out
        assert "replica %d of 2)" % i in out


def test_table_size():
    assert len(ALL_ROWS) >= 150
    assert len(set(row_ids(ALL_ROWS))) == len(ALL_ROWS)
