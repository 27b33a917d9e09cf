"""The unit's launcher (roles/sglang_service/files/launch_sglang.py): SGLang logs its arguments,
API key included, when it starts; the launcher masks the key in every log record and runs
sglang.launch_server with the same arguments. Run here with the SGLang server double, which logs
its arguments the way SGLang does."""

import importlib.util
import json
import logging
import os
import subprocess
import sys

import pytest
import yaml

from helpers import ROOT

LAUNCHER = os.path.join(ROOT, "roles", "sglang_service", "files", "launch_sglang.py")
DOUBLE = os.path.join(ROOT, "tests", "doubles", "sglang_server")


def load():
    spec = importlib.util.spec_from_file_location("launch_sglang", LAUNCHER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("key", ["plain-key-123", "with:colon and 'quote'", "back\\slash\"dq", "0123"])
def test_key_read_from_the_config_the_service_role_writes(tmp_path, key):
    config = tmp_path / "main.yaml"
    # the service role writes the options with to_nice_yaml: PyYAML's dump
    config.write_text(yaml.safe_dump({"model-path": "/m", "api-key": key, "tp": 1}))
    assert load().api_key_from_config(["--config", str(config), "--enable-metrics"]) == key


def test_no_config_or_no_key(tmp_path):
    config = tmp_path / "main.yaml"
    config.write_text(yaml.safe_dump({"model-path": "/m"}))
    assert load().api_key_from_config(["--config", str(config)]) is None
    assert load().api_key_from_config(["--model-path", "/m"]) is None


@pytest.mark.parametrize("key", ["s3cret-key", "back\\slash'q"])
def test_log_records_never_carry_the_key(key):
    launcher = load()
    saved = logging.getLogRecordFactory()
    try:
        launcher.mask_in_log_records(key)
        record = logging.getLogger("t").makeRecord(
            "t", logging.INFO, "f", 1, "server_args=%s and %r" % ({"api_key": key}, key), None, None)
        assert key not in record.getMessage() and "<redacted>" in record.getMessage()
        with_args = logging.getLogger("t").makeRecord("t", logging.INFO, "f", 1, "key %s", (key,), None)
        assert with_args.getMessage() == "key <redacted>"
    finally:
        logging.setLogRecordFactory(saved)


def test_launcher_runs_launch_server_with_the_same_arguments_and_a_masked_log(tmp_path):
    key = "launcher-test-key-77"
    config = tmp_path / "main.yaml"
    config.write_text(yaml.safe_dump({"model-path": "/srv/m", "port": 31777, "api-key": key}))
    record = tmp_path / "launch-args.json"
    proc = subprocess.Popen([sys.executable, LAUNCHER, "--config", str(config), "--enable-metrics"],
                            env=dict(os.environ, PYTHONPATH=DOUBLE, SGLANG_DOUBLE_RECORD=str(record),
                                     SGLANG_DOUBLE_LOAD_SECONDS="0"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "double: serving" in line:
            break
    proc.terminate()
    proc.wait(timeout=10)
    out = "".join(lines)
    assert "server_args=" in out and "<redacted>" in out and key not in out
    assert json.loads(record.read_text())["argv"] == ["--config", str(config), "--enable-metrics"]
