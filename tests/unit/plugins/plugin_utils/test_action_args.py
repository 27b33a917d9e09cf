"""Action plugin arguments checked against the module's documentation: the spec it makes, the
message for unknown names, and the checks on a task's arguments."""

import re

import pytest
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.llmops.sglang.plugins.modules import bench_report, fleet_plan, launch_plan
from ansible_collections.llmops.sglang.plugins.plugin_utils import action_args

DOC = """
options:
  path:
    description: x
    type: path
    required: true
  count:
    description: x
    type: int
    default: 3
  names:
    description: x
    type: list
    elements: str
    default: []
  mode:
    description: x
    type: str
    choices: [a, b]
"""


def test_the_spec_is_the_documentation():
    assert action_args.argument_spec(DOC) == {
        "path": {"type": "path", "required": True}, "count": {"type": "int", "default": 3},
        "names": {"type": "list", "elements": "str", "default": []},
        "mode": {"type": "str", "choices": ["a", "b"]}}


def test_list_and_dict_defaults_are_not_shared_between_tasks():
    action_args.argument_spec(DOC)["names"]["default"].append("x")
    assert action_args.argument_spec(DOC)["names"]["default"] == []


@pytest.mark.parametrize("module", [bench_report, fleet_plan, launch_plan])
def test_every_action_modules_documentation_makes_a_valid_spec(module):
    spec = action_args.argument_spec(module.DOCUMENTATION)
    assert spec and ArgumentSpecValidator(spec).argument_spec == spec


@pytest.mark.parametrize("given,expected", [
    ({"path": 1}, None),
    ({}, None),
    ({"pth": 1}, "x.y: unknown argument pth (did you mean path?); the arguments are count, "
                 "mode, names, path"),
    ({"path": 1, "zzz": 2, "nmes": 3}, "x.y: unknown arguments nmes (did you mean names?), zzz;"),
])
def test_unknown_names_are_named_with_the_closest_and_every_allowed_one(given, expected):
    error = action_args.unknown_args_error("x.y", given, action_args.argument_spec(DOC))
    if expected is None:
        assert error is None
    else:
        assert error.startswith(expected)


class FakeTask:
    action = "llmops.sglang.x"

    def __init__(self, args):
        self.args = args


class FakeAction(ActionBase):
    def __init__(self, args):  # only what validate_argument_spec reads
        self._task = FakeTask(args)
        self._load_name = "x"

    def run(self, tmp=None, task_vars=None):
        raise NotImplementedError


@pytest.mark.parametrize("given,expected", [
    ({"path": "/tmp/x"}, {"path": "/tmp/x", "count": 3, "names": [], "mode": None}),
    ({"path": "/tmp/x", "count": "7", "names": "a,b"},
     {"path": "/tmp/x", "count": 7, "names": ["a", "b"], "mode": None}),
])
def test_checked_args_fill_defaults_and_apply_types(given, expected):
    assert action_args.checked_args(FakeAction(given), DOC) == expected


@pytest.mark.parametrize("given,message", [
    ({"pth": "/x"}, "llmops.sglang.x: unknown argument pth (did you mean path?)"),
    ({}, "missing required arguments: path"),
    ({"path": "/x", "count": "many"}, "argument 'count' is of type str"),
    ({"path": "/x", "mode": "c"}, "value of mode must be one of: a, b, got: c"),
])
def test_checked_args_refuse_bad_arguments(given, message):
    with pytest.raises(AnsibleActionFail, match=re.escape(message)):
        action_args.checked_args(FakeAction(given), DOC)


def test_names_only_checks_names_and_returns_the_arguments_as_given():
    given = {"path": 1, "count": "many"}
    assert action_args.checked_args(FakeAction(given), DOC, names_only=True) == given
    with pytest.raises(AnsibleActionFail, match="unknown argument cont"):
        action_args.checked_args(FakeAction({"cont": 1}), DOC, names_only=True)
