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
        "sglang_plan", "sglang_preflight", "sglang_install", "sglang_weights", "sglang_service",
        "sglang_smoke", "sglang_watchdog"]


def test_one_tag_scheme():
    """Each role is tagged with its name; the plan and the host checks carry every stage's tag
    (every stage reads the plan), the stages inside a role included; a stage inside a role is
    tagged sglang_<role>_<stage>."""
    with open(os.path.join(ROOT, "playbooks", "deploy.yml")) as handle:
        plays = yaml.safe_load(handle)
    roles = plays[0]["roles"]
    names = [entry["role"].split(".")[-1] for entry in roles]
    stage_tags = set()
    for name in names:
        with open(os.path.join(ROOT, "roles", name, "tasks", "main.yml")) as handle:
            stage_tags.update(t for task in yaml.safe_load(handle) or [] for t in task.get("tags", []))
    for entry, name in zip(roles, names):
        if name in ("sglang_plan", "sglang_preflight"):
            assert set(entry["tags"]) == set(names) | stage_tags
        else:
            assert entry["tags"] == [name]
    assert [r["tags"] for r in plays[1]["roles"]] == [["sglang_gateway"]]
    assert [r["tags"] for r in plays[2]["roles"]] == [["sglang_monitoring"]]
    for role in ROLES:
        with open(os.path.join(ROOT, "roles", role, "tasks", "main.yml")) as handle:
            tasks = yaml.safe_load(handle) or []
        for task in tasks:
            for tag in task.get("tags", []):
                assert tag.startswith(role + "_"), (role, task["name"], tag)


def test_the_version_pin_is_the_planners():
    """sglang_version is defined once for the roles (sglang_common) and equals the planner's
    default, which plan.yml uses where role defaults do not apply; install follows it."""
    from ansible_collections.llmops.sglang.plugins.module_utils import planner
    default = dict((a[0], a[1]) for a in planner.ARGUMENTS)["sglang_version"]
    assert load(SHARED, "defaults", "main.yml")["sglang_version"] == default
    assert load("sglang_install", "defaults", "main.yml")["sglang_install_version"] == "{{ sglang_version }}"
    for role in sorted(set(ROLES) - {SHARED}):
        assert "sglang_version" not in load(role, "defaults", "main.yml"), role
