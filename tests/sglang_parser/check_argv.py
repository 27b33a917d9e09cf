"""Run SGLang's own CLI parser over argv lists (tests only).

stdin: JSON list of {"id": str, "argv": [...], "config": {...}, "extra": [...]} ; stdout: JSON
list of {"id", "ok", "error", "parsed": {dest: value}, "config_same": bool}. With "config", the
mapping the service role writes is also merged back by SGLang's own ConfigArgumentMerger (as
`launch_server --config FILE` does) and parsed: config_same says both ways give the same values.
Run with PYTHONPATH pointing at one SGLang version (scripts/setup-sglang-parser).
"""

import argparse
import contextlib
import io
import json
import os
import sys


def merger_class():
    try:
        from sglang.srt.utils.server_args_config_parser import ConfigArgumentMerger
    except ImportError:  # 0.5.17 keeps it one level up
        from sglang.srt.server_args_config_parser import ConfigArgumentMerger
    return ConfigArgumentMerger


def via_config(parser, case, direct):
    import tempfile

    import yaml
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump(case["config"], handle)
        path = handle.name
    try:
        argv = merger_class()(parser).merge_config_with_args(["--config", path] + case["extra"])
        ns = parser.parse_args(argv)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported, not raised
        return False, repr(exc)
    finally:
        os.unlink(path)
    return vars(ns) == direct, ""


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
        result = {"id": case["id"], "ok": True, "error": "", "parsed": parsed}
        if "config" in case:
            result["config_same"], result["config_error"] = via_config(parser, case, vars(ns))
        out.append(result)
    json.dump({"version": sglang.__version__, "results": out}, sys.stdout)


if __name__ == "__main__":
    main()
