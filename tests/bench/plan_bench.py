"""Benchmark: playbooks/plan.yml over a generated inventory of N hosts (default 1,000) with
recorded GPU facts, against a one-`set_fact` play over the same inventory, in the same run.

    python tests/bench/plan_bench.py [--hosts 1000] [--forks 50] [--repeat 1]

Prints a table and the ratio plan.yml / set_fact play. Goal: <= 0.15.
The hosts cycle through the example inventory's six machines and models, so every plan is real.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "inventories", "example")

SET_FACT_PLAY = """---
- name: Baseline, one trivial controller-side task per host
  hosts: sglang
  gather_facts: false
  tasks:
    - name: Set one fact
      ansible.builtin.set_fact:
        baseline_fact: 1
"""


def make_inventory(folder, count):
    with open(os.path.join(EXAMPLE, "hosts.yml")) as handle:
        example = yaml.safe_load(handle)
    templates = []
    for group in example["all"]["children"]["sglang"]["children"].values():
        for name, hostvars in group["hosts"].items():
            entry = {k: v for k, v in hostvars.items() if k != "ansible_host"}
            for file_name in sorted(os.listdir(os.path.join(EXAMPLE, "host_vars", name))):
                with open(os.path.join(EXAMPLE, "host_vars", name, file_name)) as handle:
                    entry.update(yaml.safe_load(handle))
            templates.append((name, entry))
    hosts = {}
    for i in range(count):
        name, entry = templates[i % len(templates)]
        hosts["%s-%04d" % (name, i)] = dict(entry, ansible_host="%s-%04d.example.invalid" % (name, i))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "hosts.yml"), "w") as handle:
        yaml.safe_dump({"all": {"children": {"sglang": {"hosts": hosts}}}}, handle)


def timed(argv, env):
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:])
        raise SystemExit("benchmark run failed: %s" % " ".join(argv))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1)
    opts = parser.parse_args()
    work = tempfile.mkdtemp(prefix="plan-bench-")
    try:
        inventory = os.path.join(work, "inventory")
        make_inventory(inventory, opts.hosts)
        baseline = os.path.join(work, "set_fact.yml")
        with open(baseline, "w") as handle:
            handle.write(SET_FACT_PLAY)
        env = dict(os.environ, ANSIBLE_FORKS=str(opts.forks))
        bin_dir = os.path.dirname(sys.executable)
        playbook = os.path.join(bin_dir, "ansible-playbook")
        if not os.path.exists(playbook):
            playbook = shutil.which("ansible-playbook")
        rows = []
        for _round in range(opts.repeat):
            plan_s = timed([playbook, "-i", inventory, "playbooks/plan.yml",
                            "-e", "sglang_plan_dir=%s" % os.path.join(work, "plans")], env)
            base_s = timed([playbook, "-i", inventory, baseline], env)
            rows.append((plan_s, base_s))
        plans = len(os.listdir(os.path.join(work, "plans")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("hosts %d, forks %d, plan files written %d" % (opts.hosts, opts.forks, plans))
    print("%-4s  %14s  %18s  %7s" % ("run", "plan.yml (s)", "set_fact play (s)", "ratio"))
    for i, (plan_s, base_s) in enumerate(rows, 1):
        print("%-4d  %14.1f  %18.1f  %7.3f" % (i, plan_s, base_s, plan_s / base_s))
    best_plan = min(r[0] for r in rows)
    best_base = min(r[1] for r in rows)
    ratio = best_plan / best_base
    print("ratio plan.yml / set_fact play: %.3f (goal <= 0.15) %s" % (
        ratio, "MET" if ratio <= 0.15 else "MISSED"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
