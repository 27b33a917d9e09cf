"""planner.ARGUMENTS is the one list of launch_plan's arguments: the module's documentation states
each with its default, choices and type, and launch_plan reads each from the host's variables
(tests/integration/test_plan_playbook.py runs that part)."""

import os
import re

import yaml

from ansible_collections.llmops.sglang.plugins.module_utils import planner
from ansible_collections.llmops.sglang.plugins.modules import launch_plan
from helpers import ROOT

# the documented type of each validator kind
DOC_TYPES = {"gpus": "dict", "model": "str", "str": "str", "config": "raw", "choice": "str",
             "bool": "bool", "auto_or_context": "raw", "auto_or_count": "raw",
             "auto_or_fraction": "raw", "auto_or_ratio": "raw", "host": "str", "port": "int",
             "nodes": "int", "rank": "int", "auto_or_tp": "raw", "replicas": "int",
             "list_of_str": "list", "version": "str"}

OPTIONS = yaml.safe_load(launch_plan.DOCUMENTATION)["options"]


def test_documented_options_are_the_arguments_in_order():
    assert list(OPTIONS) == list(planner.ARGUMENT_NAMES)


def test_every_kind_has_a_validator_and_a_documented_type():
    assert set(DOC_TYPES) == set(planner.VALIDATORS)


def test_defaults_choices_and_types_are_the_arguments():
    for name, default, kind, allowed in planner.ARGUMENTS:
        doc = OPTIONS[name]
        if default == planner.REQUIRED:
            assert "default" not in doc and "Needed" in " ".join(doc["description"]), name
        elif default is None:
            assert "default" not in doc, name
        else:
            assert doc["default"] == default, name
        assert doc.get("choices") == (list(allowed) if allowed else None), name
        assert doc["type"] == DOC_TYPES[kind], name
        assert not doc.get("required"), name  # any argument may come from the host's variables


def test_readme_table_lists_every_argument():
    """The README's table under "Each `launch_plan` argument" names each argument's variable."""
    with open(os.path.join(ROOT, "README.md")) as handle:
        text = handle.read()
    table = text.split("Each `launch_plan` argument", 1)[1].split("\n## ", 1)[0]
    named = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            named.update(re.findall(r"`(sglang_[a-z0-9_]+)`", line.split("|")[1]))
    named.discard("sglang_plan_dir")
    assert named == {planner.inventory_variable(n) for n in planner.ARGUMENT_NAMES}
