"""Helpers shared by the tests (pyproject.toml puts collections/ and tests/ on sys.path)."""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "gpu-hosts")


def fixture_text(host, name):
    with open(os.path.join(FIXTURES, host, name)) as handle:
        return handle.read()


def facts(folder, count=None):
    """GPU facts the real parser makes of a fixture folder (optionally with another GPU count)."""
    from ansible_collections.llmops.sglang.plugins.module_utils import gpu_parsers
    if os.path.exists(os.path.join(FIXTURES, folder, "amd-smi-static.json")):
        out = gpu_parsers.amd_facts(gpu_parsers.parse_amd_smi_static_json(
            fixture_text(folder, "amd-smi-static.json")))
    else:
        out = gpu_parsers.nvidia_facts(fixture_text(folder, "query-gpu-nounits.csv"),
                                       fixture_text(folder, "topo-m.txt"))
    if count is not None:
        out = dict(out, count=count, devices=out["devices"][:count])
    return out


H100_8_FIXTURE = "derived-h100-x8"
SCOUT = "meta-llama/Llama-4-Scout-17B-16E-Instruct"
MAVERICK = "meta-llama/Llama-4-Maverick-17B-128E-Instruct"
MAVERICK_FP8 = "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8"
TINY = "llmops-test/tiny-llama4"

# The project's tiny Llama-4-architecture test checkpoint (tests/e2e/gpu/make_tiny_model.py): not a
# product profile; tests plan it from its config.json, as the planner plans any local folder.
with open(os.path.join(ROOT, "tests", "fixtures", "models", "tiny-llama4", "config.json")) as _handle:
    TINY_CONFIG = json.load(_handle)
TINY_ARGS = {"model": TINY, "model_config": TINY_CONFIG}


def render_rules(folder, **overrides):
    """The alert rules file as the monitoring role writes it (its template and defaults), into
    folder; returns its path."""
    import jinja2
    import yaml
    role = os.path.join(ROOT, "roles", "sglang_monitoring")
    with open(os.path.join(role, "defaults", "main.yml")) as handle:
        variables = dict(yaml.safe_load(handle), **overrides)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    with open(os.path.join(role, "templates", "sglang.rules.yml.j2")) as handle:
        text = env.from_string(handle.read()).render(**variables)
    path = os.path.join(folder, "sglang.rules.yml")
    with open(path, "w") as handle:
        handle.write(text)
    return path


def promtool(*args):
    """promtool (scripts/setup-promtool: Debian 12's prometheus package) run with args."""
    import subprocess
    import pytest
    path = os.path.join(ROOT, ".cache", "promtool", "bin", "promtool")
    if not os.access(path, os.X_OK):
        pytest.fail("promtool is missing: run scripts/setup-promtool (scripts/test does)")
    return subprocess.run([path, *args], capture_output=True, text=True, check=False)
