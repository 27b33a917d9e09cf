"""The gateway's launcher (roles/sglang_gateway/files/smg_launch.py): the API key comes from a
file, never the process arguments; a key file that cannot be read stops the start."""

import importlib.util
import os
import subprocess
import sys

import pytest

from helpers import ROOT

LAUNCHER = os.path.join(ROOT, "roles", "sglang_gateway", "files", "smg_launch.py")


def launcher():
    spec = importlib.util.spec_from_file_location("smg_launch", LAUNCHER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(*args):
    return subprocess.run([sys.executable, LAUNCHER] + list(args), capture_output=True, text=True,
                          timeout=30, check=False)


def test_a_key_on_the_command_line_is_refused(tmp_path):
    (tmp_path / "workers.json").write_text("[]")
    for arg in (["--api-key", "sk-x"], ["--api-key=sk-x"]):
        proc = run("--workers-file", str(tmp_path / "workers.json"), *arg)
        assert proc.returncode != 0
        assert "the API key comes from the unit's key file, never --api-key" in proc.stderr
        assert "sk-x" not in proc.stderr


@pytest.mark.parametrize("content,message", [
    (None, "cannot read the API key file"),
    ("  \n", "is empty"),
])
def test_an_unreadable_or_empty_key_file_stops_the_start(tmp_path, content, message):
    (tmp_path / "workers.json").write_text("[]")
    key = tmp_path / "api_key"
    if content is not None:
        key.write_text(content)
    proc = run("--workers-file", str(tmp_path / "workers.json"), "--key-file", str(key))
    assert proc.returncode != 0 and message in proc.stderr


def test_the_key_file_is_read_and_stripped(tmp_path):
    key = tmp_path / "api_key"
    key.write_text("sk-secret\n")
    assert launcher().read_key(str(key)) == "sk-secret"


def test_the_worker_list_must_be_a_list_of_urls(tmp_path):
    (tmp_path / "workers.json").write_text('{"url": "http://a:1"}')
    proc = run("--workers-file", str(tmp_path / "workers.json"))
    assert proc.returncode != 0 and "must hold a JSON list of worker URLs" in proc.stderr
