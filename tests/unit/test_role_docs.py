"""Each role's README documents every variable the role defines, in one table (variable, default,
what it does), and only those; a plain default is shown as it is, and a default computed from other
variables names them.

A variable the role defines: a key of defaults/main.yml or an option of any entry point in
meta/argument_specs.yml (inputs such as sglang_model included). test_roles.py checks defaults and
argument specs hold the same keys. When a row is missing, the failure prints one to start from,
made of the default and the argument spec's description: check it against the role's tasks.

Run alone: pytest tests/unit/test_role_docs.py
"""

import os
import re

import pytest
import yaml

from helpers import ROOT

ROLES = sorted(r for r in os.listdir(os.path.join(ROOT, "roles"))
               if os.path.isdir(os.path.join(ROOT, "roles", r)))

# a row of the variables table: | `name` | default | meaning |
ROW = re.compile(r"^\|\s*`(?P<name>[a-z_][a-z0-9_]*)`\s*\|(?P<default>[^|]*)\|(?P<meaning>.*)\|\s*$")
TEMPLATED = re.compile(r"{[{%]")
# top-level variables a templated default reads (sglang_launch.plan.port -> sglang_launch)
READS = re.compile(r"(?<![\w.'\"])(sglang_[a-z0-9_]+)")


def load(role, *path):
    full = os.path.join(ROOT, "roles", role, *path)
    if not os.path.exists(full):
        return {}
    with open(full) as handle:
        return yaml.safe_load(handle) or {}


def defaults(role):
    return load(role, "defaults", "main.yml")


def spec_options(role):
    """{name: option spec} over every entry point of meta/argument_specs.yml."""
    options = {}
    for entry in (load(role, "meta", "argument_specs.yml").get("argument_specs") or {}).values():
        options.update((entry or {}).get("options") or {})
    return options


def variables(role):
    return set(defaults(role)) | set(spec_options(role))


def readme_rows(role):
    """{name: (default cell, meaning cell)} from the README's tables."""
    with open(os.path.join(ROOT, "roles", role, "README.md")) as handle:
        rows = {}
        for line in handle:
            m = ROW.match(line.strip())
            if m:
                assert m.group("name") not in rows, "%s: README lists %s twice" % (role, m.group("name"))
                rows[m.group("name")] = (m.group("default").strip(), m.group("meaning").strip())
    return rows


def plain(value):
    """How a default that is a plain value is written in the table, or None when it is not plain
    (templated, or a structure the meaning cell describes)."""
    if isinstance(value, bool):
        return "`%s`" % str(value).lower()
    if isinstance(value, (int, float)):
        return "`%s`" % value
    if isinstance(value, str):
        return None if TEMPLATED.search(value) else ("`%s`" % value if value else '`""`')
    if isinstance(value, (list, dict)) and not value:
        return "`%s`" % ("[]" if isinstance(value, list) else "{}")
    if isinstance(value, list) and all(isinstance(v, str) and not TEMPLATED.search(v) for v in value):
        return "`[%s]`" % ", ".join(value)
    return None


def suggested_row(role, name):
    spec = spec_options(role).get(name, {})
    description = spec.get("description", "")
    if isinstance(description, list):
        description = " ".join(description)
    value = defaults(role).get(name)
    cell = plain(value) if name in defaults(role) else "(required)" if spec.get("required") else "unset"
    return "| `%s` | %s | %s |" % (name, cell or repr(value), description)


@pytest.mark.parametrize("role", ROLES)
def test_readme_lists_every_variable_of_the_role(role):
    missing = sorted(variables(role) - set(readme_rows(role)))
    assert not missing, "roles/%s/README.md lacks a row for %s; to start from:\n%s" % (
        role, ", ".join(missing), "\n".join(suggested_row(role, n) for n in missing))


@pytest.mark.parametrize("role", ROLES)
def test_readme_lists_no_variable_the_role_lacks(role):
    stale = sorted(set(readme_rows(role)) - variables(role))
    assert not stale, "roles/%s/README.md documents %s, which neither defaults/main.yml nor " \
                      "meta/argument_specs.yml defines" % (role, ", ".join(stale))


@pytest.mark.parametrize("role", ROLES)
def test_readme_shows_each_default(role):
    rows = readme_rows(role)
    wrong = []
    for name, value in defaults(role).items():
        if name not in rows:
            continue  # reported by the test above
        cell = rows[name][0]
        shown = plain(value)
        if shown is not None and shown not in cell:
            wrong.append("%s: default %s, README says %r" % (name, shown, cell))
        elif shown is None and isinstance(value, str) and TEMPLATED.search(value):
            unnamed = sorted(set(READS.findall(value)) - {name} - set(READS.findall(cell)))
            if unnamed:
                wrong.append("%s: its default reads %s, which the README's default cell %r does not "
                             "name" % (name, ", ".join(unnamed), cell))
    assert not wrong, "roles/%s/README.md:\n%s" % (role, "\n".join(wrong))


@pytest.mark.parametrize("role", ROLES)
def test_every_row_says_what_the_variable_does(role):
    empty = sorted(n for n, (_default, meaning) in readme_rows(role).items() if len(meaning) < 8)
    assert not empty, "roles/%s/README.md: no meaning for %s" % (role, ", ".join(empty))


def test_the_check_sees_a_missing_and_a_wrong_row(tmp_path, monkeypatch):
    """The checks above on a made-up role: a default left out, a changed default, a stale row."""
    role = tmp_path / "roles" / "demo"
    (role / "defaults").mkdir(parents=True)
    (role / "meta").mkdir()
    (role / "defaults" / "main.yml").write_text(
        "demo_port: 30000\ndemo_url: \"http://{{ sglang_host }}:{{ demo_port }}\"\ndemo_flag: false\n")
    (role / "meta" / "argument_specs.yml").write_text(
        "argument_specs:\n  main:\n    options:\n      demo_port: {type: int, description: The port.}\n"
        "      demo_url: {type: str}\n      demo_flag: {type: bool}\n")
    (role / "README.md").write_text(
        "| variable | default | meaning |\n|---|---|---|\n"
        "| `demo_port` | `30001` | the port the server listens on |\n"
        "| `demo_url` | from `demo_port` | where the checks connect |\n"
        "| `demo_gone` | `1` | a variable that was removed |\n")
    monkeypatch.setitem(globals(), "ROOT", str(tmp_path))
    missing_row = r"lacks a row for demo_flag;.*\n\s*\| `demo_flag` \| `false` \|"
    with pytest.raises(AssertionError, match=missing_row):
        test_readme_lists_every_variable_of_the_role("demo")
    with pytest.raises(AssertionError, match="documents demo_gone"):
        test_readme_lists_no_variable_the_role_lacks("demo")
    with pytest.raises(AssertionError) as wrong:
        test_readme_shows_each_default("demo")
    assert "demo_port: default `30000`, README says '`30001`'" in str(wrong.value)
    assert "demo_url: its default reads sglang_host" in str(wrong.value)
