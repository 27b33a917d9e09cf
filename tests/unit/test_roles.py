"""Role conventions: every public default is in meta/argument_specs.yml and the other way round
(for the role's own prefix), every variable carries the role's prefix, tasks are split."""

import os

import pytest
import yaml

from helpers import ROOT

ROLES = sorted(os.listdir(os.path.join(ROOT, "roles")))


def load(role, *path):
    with open(os.path.join(ROOT, "roles", role, *path)) as handle:
        return yaml.safe_load(handle) or {}


# the shared defaults are the collection's own settings: they carry its prefix, not the role's
SHARED = "sglang_common"


def prefix(role):
    return "sglang_" if role == SHARED else role + "_"


@pytest.mark.parametrize("role", ROLES)
def test_defaults_and_argument_specs_hold_the_same_keys(role):
    defaults = set(load(role, "defaults", "main.yml"))
    options = set(load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"])
    assert all(k.startswith(prefix(role)) for k in defaults), defaults
    assert defaults == {k for k in options if k.startswith(prefix(role))}


@pytest.mark.parametrize("role", sorted(set(ROLES) - {SHARED}))
def test_every_role_depends_on_the_shared_defaults(role):
    dependencies = load(role, "meta", "main.yml").get("dependencies") or []
    assert {"role": "llmops.sglang.sglang_common"} in dependencies


@pytest.mark.parametrize("role", ROLES)
def test_role_layout(role):
    base = os.path.join(ROOT, "roles", role)
    for path in ("README.md", "defaults/main.yml", "meta/main.yml", "meta/argument_specs.yml",
                 "tasks/main.yml"):
        assert os.path.exists(os.path.join(base, path)), path


def test_deploy_runs_the_roles_in_order():
    """deploy.yml (where users type it) is the collection's playbook llmops.sglang.deploy."""
    with open(os.path.join(ROOT, "deploy.yml")) as handle:
        assert yaml.safe_load(handle)[0]["ansible.builtin.import_playbook"] == "playbooks/deploy.yml"
    with open(os.path.join(ROOT, "playbooks", "deploy.yml")) as handle:
        play = yaml.safe_load(handle)[0]
    assert [r["role"].split(".")[-1] for r in play["roles"]] == [
        "sglang_preflight", "sglang_install", "sglang_weights", "sglang_service", "sglang_smoke"]


def test_every_stage_brings_the_plan():
    """--tags <stage> alone: the preflight role (which plans) carries every stage's tag."""
    with open(os.path.join(ROOT, "playbooks", "deploy.yml")) as handle:
        roles = yaml.safe_load(handle)[0]["roles"]
    stages = {r["tags"][0] for r in roles[1:]}
    assert stages <= set(roles[0]["tags"])
