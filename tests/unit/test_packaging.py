"""`ansible-galaxy collection build` (galaxy.yml's build_ignore): the tarball holds what a user of
the collection runs and reads, and none of the tests, local results or the checkout's own state."""

import os
import subprocess
import sys
import tarfile

import pytest

from helpers import ROOT

BIN = os.path.dirname(sys.executable)

# what never ships: the tests (fixtures, GPU results, doubles), results and local state
LEFT_OUT = ("tests/", "plans/", "reports/", "collections/", ".ci/", ".e2e/", ".venv/", ".cache/",
            ".git/", ".whl/", ".wheelhouse/", ".pytest_cache/", ".ruff_cache/")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force",
                    "--output-path", str(out)], cwd=ROOT, check=True, capture_output=True)
    (path,) = out.iterdir()
    with tarfile.open(path) as tar:
        return {m.name.rstrip("/"): m for m in tar.getmembers()}


def test_no_tests_results_or_local_state(tarball):
    shipped = sorted(n for n in tarball if any((n + "/").startswith(p) for p in LEFT_OUT)
                     or n.endswith((".tar.gz", ".pyc")) or "__pycache__" in n)
    assert not shipped, shipped


def test_no_links(tarball):
    assert not [n for n, m in tarball.items() if m.issym() or m.islnk()]


def test_the_docs_and_the_product_ship(tarball):
    roles = sorted(r for r in os.listdir(os.path.join(ROOT, "roles")))
    docs = ["README.md", "CHANGELOG.md", "CONTRIBUTING.md"] + ["roles/%s/README.md" % r for r in roles]
    if os.path.isdir(os.path.join(ROOT, "docs")):
        docs += [os.path.relpath(os.path.join(d, f), ROOT)
                 for d, _dirs, files in os.walk(os.path.join(ROOT, "docs")) for f in files]
    product = ["deploy.yml", "meta/runtime.yml", "playbooks/plan.yml", "playbooks/bench.yml",
               "playbooks/accuracy.yml", "plugins/modules/gpu_facts.py",
               "plugins/module_utils/gpu_parsers.py"]
    missing = [p for p in docs + product if p not in tarball]
    assert not missing, missing
