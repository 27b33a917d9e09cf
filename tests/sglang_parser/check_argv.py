#!/usr/bin/env python3
"""Run SGLang's own CLI parser over argv lists (tests only).

stdin: JSON list of {"id": str, "argv": [...]} ; stdout: JSON list of
{"id", "ok", "error", "parsed": {dest: value} for the flags given}.
Run with PYTHONPATH pointing at one SGLang version (scripts/setup-sglang-parser).
"""

import argparse
import contextlib
import io
import json
import sys


def main():
    from sglang.srt.server_args import ServerArgs
    import sglang

    cases = json.load(sys.stdin)
    out = []
    parser = argparse.ArgumentParser(prog="sglang.launch_server")
    ServerArgs.add_cli_args(parser)
    for case in cases:
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                ns = parser.parse_args(case["argv"])
        except SystemExit:
            lines = [x for x in err.getvalue().splitlines() if ": error:" in x]
            out.append({"id": case["id"], "ok": False,
                        "error": lines[-1] if lines else err.getvalue()[-500:]})
            continue
        parsed = {k: v for k, v in vars(ns).items() if isinstance(v, (str, int, float, bool))}
        out.append({"id": case["id"], "ok": True, "error": "", "parsed": parsed})
    json.dump({"version": sglang.__version__, "results": out}, sys.stdout)


if __name__ == "__main__":
    main()
