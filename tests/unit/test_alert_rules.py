"""The alert rules (roles/sglang_monitoring/templates/sglang.rules.yml.j2), rendered with the
role's defaults, pass `promtool check rules` and the promtool unit tests in tests/unit/alerts/
(promtool: Debian 12's prometheus package, scripts/setup-promtool)."""

import os
import shutil

import pytest
import yaml

from helpers import ROOT, promtool, render_rules

ROLE = os.path.join(ROOT, "roles", "sglang_monitoring")
ALERTS = os.path.join(ROOT, "tests", "unit", "alerts")


def test_rules_are_valid(tmp_path):
    result = promtool("check", "rules", render_rules(str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 8 rules found" in result.stdout


@pytest.mark.parametrize("test_file", sorted(f for f in os.listdir(ALERTS) if f.endswith(".test.yml")))
def test_rules_fire_as_their_unit_tests_say(tmp_path, test_file):
    render_rules(str(tmp_path))
    shutil.copy(os.path.join(ALERTS, test_file), tmp_path)
    result = promtool("test", "rules", str(tmp_path / test_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_unit_test():
    with open(os.path.join(ROLE, "templates", "sglang.rules.yml.j2")) as handle:
        alerts = {line.split(":", 1)[1].strip() for line in handle if line.strip().startswith("- alert:")}
    tested = set()
    for name in os.listdir(ALERTS):
        if name.endswith(".test.yml"):
            with open(os.path.join(ALERTS, name)) as handle:
                for test in yaml.safe_load(handle)["tests"]:
                    tested.update(t["alertname"] for t in test["alert_rule_test"] if t["exp_alerts"])
    assert alerts == tested


def test_the_stall_window_follows_its_variable(tmp_path):
    rules = yaml.safe_load(open(render_rules(str(tmp_path), sglang_monitoring_stall_minutes=6)))
    stall = [r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "SGLangGenerationStalled"][0]
    assert "[3m]" in stall["expr"] and stall["for"] == "3m"
