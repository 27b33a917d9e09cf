"""SGLang's launch_server options, from its own parser, as the data in
plugins/module_utils/sglang_options.py (this script is a test tool; the table it writes is product
data the planner checks sglang_extra_args against).

    dump_options.py            print the module for the pinned versions
    dump_options.py --write    rewrite plugins/module_utils/sglang_options.py

Runs each version's ServerArgs.add_cli_args in the parser venv of scripts/setup-sglang-parser.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARSER_DIR = os.environ.get("SGLANG_PARSER_DIR", os.path.join(ROOT, ".cache", "sglang-parser"))
TARGET = os.path.join(ROOT, "plugins", "module_utils", "sglang_options.py")
TEMPLATE = os.path.join(ROOT, "tests", "sglang_parser", "sglang_options.py.in")

DUMP = r'''
import argparse, json
from sglang.srt.server_args import ServerArgs
parser = argparse.ArgumentParser()
ServerArgs.add_cli_args(parser)
out = []
for action in parser._actions:
    if isinstance(action, argparse._HelpAction):
        continue
    kind = {0: "flag", None: "one", 1: "one", "?": "optional"}.get(action.nargs, "many")
    for option in action.option_strings:
        out.append([option, action.dest, kind])
print(json.dumps(out))
'''


def options_of(version):
    env = dict(os.environ, PYTHONPATH=os.path.join(PARSER_DIR, "sglang-%s" % version),
               CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([os.path.join(PARSER_DIR, "venv", "bin", "python"), "-c", DUMP],
                          env=env, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(rows):
    """One line per option: "option kind", plus the dest where it is not the option's own name."""
    lines = []
    for option, dest, kind in sorted(rows):
        own = option.lstrip("-").replace("-", "_")
        lines.append(" ".join([option, kind] + ([dest] if dest != own else [])))
    return "\n".join(lines)


def module_text(versions):
    with open(TEMPLATE) as handle:
        head = handle.read()
    body = ["_TABLES = {"]
    for version in versions:
        body.append('    "%s": """\n%s\n""",' % (version, table(options_of(version))))
    body.append("}")
    return head + "\n".join(body) + "\n"


def main():
    sys.path.insert(0, ROOT)
    versions = os.environ.get("SGLANG_PARSER_VERSIONS", "0.5.17 0.5.23").split()
    text = module_text(sorted(versions, key=lambda v: tuple(int(x) for x in v.split("."))))
    if "--write" in sys.argv:
        with open(TARGET, "w") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
