"""What made a molecule scenario fail, printed last (CI keeps only the head and the tail of a run's
output, and the tail is the destroy action's). Reads the scenario's whole output: each failed task
(`fatal:`/`failed:`) with the task it belongs to and the lines after it, molecule's idempotence
verdict, and every recap line of a host with a failure.
  python3 failure_summary.py LOG [BLOCKS]     BLOCKS: how many of the last failures (default 6)"""

import re
import sys

USAGE = "usage: python3 failure_summary.py LOG [BLOCKS]\n"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# molecule 25's boxed output puts "  │ " before each line of Ansible's
BOX = re.compile(r"^\s*[│┌└├]\S*\s?")
# Ansible's failed task ([ERROR]: first in ansible-core 2.19, then fatal:) and molecule's verdicts
ANSIBLE_FAILED = re.compile(r"^(fatal|failed): \[|^\[ERROR\]")
MOLECULE_FAILED = re.compile(r"Idempotence test failed|CRITICAL|^ERROR ")
RECAP_FAILED = re.compile(r"^\S+\s+: ok=\d+ .*\b(failed|unreachable)=[1-9]")
WIDTH = 400
# molecule's boxed output wraps at 80 columns: a long message spans many lines
AFTER = 30


def clean(lines):
    return [BOX.sub("", ANSI.sub("", line.rstrip("\n"))) for line in lines]


def failures(lines, blocks=6):
    """The last `blocks` failures: [(task line, [the failure's lines])]."""
    out, task, shown_to = [], "", 0
    for number, line in enumerate(lines):
        if line.startswith("TASK ["):
            task = line
        elif number >= shown_to and (ANSIBLE_FAILED.search(line) or MOLECULE_FAILED.search(line)):
            shown_to = number + AFTER
            where = task if ANSIBLE_FAILED.search(line) else "(molecule)"
            out.append((where, [text[:WIDTH] for text in lines[number:shown_to]]))
    return out[-blocks:]


def recap(lines):
    return [line[:WIDTH] for line in lines if RECAP_FAILED.search(line)]


def main(path, blocks=6):
    with open(path, errors="replace") as handle:
        lines = clean(handle.readlines())
    print("== what failed (the last %d failure(s) of %s)" % (blocks, path))
    for task, block in failures(lines, blocks):
        print("-- " + (task or "(no task)"))
        print("\n".join(block))
    for line in recap(lines):
        print("recap: " + line)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.stderr.write(USAGE)
        sys.exit(2)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 6)
