"""Product code is there for the product: every public function, class and constant of these
module_utils is used by a module, plugin, role or playbook (or, for a helper, inside its own
module). What only tests need lives under tests/ (tests/capture_parsers.py)."""

import ast
import os
import re

import pytest

from helpers import ROOT

MODULE_UTILS = ("gpu_parsers", "safe_text", "launch_config", "client_run", "bench_prompts",
                "accuracy", "bench_profiles", "rollout")
PRODUCT = ("plugins", "roles", "playbooks", "deploy.yml")


def product_texts(skip):
    for top in PRODUCT:
        path = os.path.join(ROOT, top)
        files = [path] if os.path.isfile(path) else [
            os.path.join(d, f) for d, dirs, names in os.walk(path) if "__pycache__" not in d
            for f in names if f.endswith((".py", ".yml", ".yaml", ".j2"))]
        for name in files:
            if os.path.abspath(name) != os.path.abspath(skip):
                with open(name) as handle:
                    yield handle.read()


@pytest.mark.parametrize("module", MODULE_UTILS)
def test_every_public_name_is_used_by_the_product(module):
    path = os.path.join(ROOT, "plugins", "module_utils", module + ".py")
    with open(path) as handle:
        source = handle.read()
    tree = ast.parse(source)
    names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    names += [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name) and t.id != "__metaclass__"]
    others = "\n".join(product_texts(path))
    unused = [n for n in names if not n.startswith("_")
              and not re.search(r"\b%s\b" % n, others)
              and len(re.findall(r"\b%s\b" % n, source)) < 2]
    assert not unused, "plugins/module_utils/%s.py: %s used by nothing but tests: move to tests/" % (
        module, ", ".join(unused))
