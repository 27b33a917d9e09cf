"""Fleet planning: variables -> arguments, the table, plan files written only when they change;
the committed derived fixtures and example host_vars are what the generator makes."""

import json
import os
import subprocess
import sys

from helpers import ROOT, SCOUT, facts
from ansible_collections.llmops.sglang.plugins.module_utils import fleet


def test_arguments_from_hostvars_prefers_recorded_then_gathered_facts():
    gathered = {"ansible_facts": {"gpus": facts("derived-h100-x8")}, "sglang_model": SCOUT,
                "sglang_version": "0.5.17", "unrelated": 1}
    args = fleet.arguments_from_hostvars(gathered)
    assert args["gpus"]["count"] == 8 and args["model"] == SCOUT
    assert args["sglang_version"] == "0.5.17" and "unrelated" not in args
    recorded = dict(gathered, sglang_gpus=facts("h200-141gb-x4"))
    assert fleet.arguments_from_hostvars(recorded)["gpus"]["family"] == "H200"


def test_table_and_refusals():
    plans, refused = fleet.plan_fleet({
        "a": {"gpus": facts("derived-h100-x8"), "model": SCOUT},
        "b": {"gpus": facts("h100-80gb-hbm3-x1"), "model": SCOUT},
    })
    assert list(plans) == ["a"] and list(refused) == ["b"]
    lines = fleet.table_lines(plans, refused)
    assert lines[0].split()[:3] == ["host", "GPUs", "model"]
    assert lines[2].startswith("a ") and "python3 -m sglang.launch_server" in lines[2]
    assert lines[3].startswith("b ") and "REFUSED: b: meta-llama" in lines[3]


def test_plan_files_written_once(tmp_path):
    plans = fleet.plan_fleet({"a": {"gpus": facts("derived-h100-x8"), "model": SCOUT}})[0]
    first = fleet.write_plan_files(str(tmp_path), plans)
    assert first == [str(tmp_path / "a.json")]
    assert fleet.write_plan_files(str(tmp_path), plans) == []
    doc = json.loads((tmp_path / "a.json").read_text())
    assert set(doc) == {"host", "argv", "command", "plan"}
    assert oct(os.stat(tmp_path / "a.json").st_mode & 0o777) == "0o644"


def test_derived_fixtures_and_example_host_vars_are_current():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "fixtures",
                                                        "derive_gpu_fixtures.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
