"""SGLang's own log lines from a calibration run against the planner, as a table.

    python3 tests/e2e/gpu/calibration_table.py tests/e2e/gpu/results/<run> [--write]

For each case folder: SGLang's numbers (its TP0 log lines), the plan made on the GPU machine
(plan/gpu-local.json), and what the planner's memory model *now* predicts for the flags that ran
(the same fraction, ratio, slots and context): so a change to the memory model is checked against
the real runs on a CPU (tests/unit/test_calibration.py). --write saves RESULTS.md in the run folder.
"""

import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "collections"))
from calibration_cases import LONG_PROMPT_SHARE, POOL_TOLERANCE, WEIGHTS_TOLERANCE  # noqa: E402
from ansible_collections.llmops.sglang.plugins.module_utils import (  # noqa: E402
    kv_planner, model_profiles, planner)

GIB = 1024 ** 3
PATTERNS = {
    "preload_gib": r"TP0\] Load weight begin\. avail mem=([\d.]+) GB",
    "weights_gib": r"TP0\] Load weight end\..* mem usage=([\d.]+) GB",
    "full_tokens": r"TP0\] Use sliding window memory pool\. full_layer_tokens=(\d+)",
    "swa_tokens": r"TP0\] Use sliding window memory pool\. full_layer_tokens=\d+, swa_layer_tokens=(\d+)",
    "max_total_num_tokens": r"TP0\] max_total_num_tokens=(\d+)",
    "context_len": r"TP0\] max_total_num_tokens=.*context_len=(\d+)",
    "max_running_requests": r"TP0\] max_total_num_tokens=.*max_running_requests=(\d+)",
    "left_after_graphs_gib": r"TP0\] max_total_num_tokens=.*available_gpu_mem=([\d.]+) GB",
    "out_of_memory": r"(torch\.OutOfMemoryError: CUDA out of memory\..*)",
}


def sglang_numbers(lines_text):
    """SGLang's own numbers from its log lines (rank 0), by name."""
    out = {}
    for name, pattern in PATTERNS.items():
        match = re.search(pattern, lines_text)
        if match:
            value = match.group(1)
            out[name] = value if name == "out_of_memory" else (
                float(value) if "." in value else int(value))
    if "full_tokens" not in out and "max_total_num_tokens" in out:
        out["full_tokens"] = out["max_total_num_tokens"]
    return out


def _read(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as handle:
        return json.load(handle) if path.endswith(".json") else handle.read()


def gpu_facts(run_dir):
    text = _read(os.path.join(run_dir, "gpu-facts.txt"), "")
    match = re.search(r"=> (\{.*\})\s*$", text.strip(), re.S)
    return json.loads(match.group(1))["ansible_facts"]["gpus"]


def flag(argv, name, cast=str, default=None):
    return cast(argv[argv.index(name) + 1]) if name in argv else default


def predict(run_dir, case_dir):
    """The planner's memory model now, for the flags that ran in this case."""
    case = _read(os.path.join(case_dir, "case.json"))
    plan_doc = _read(os.path.join(case_dir, "plan", "gpu-local.json"))
    if not plan_doc:
        return None
    argv = plan_doc["argv"]
    config = _read(os.path.join(HERE, "models", case["case"]["model"] + ".json"))
    profile = model_profiles.profile_from_hf_config(config, case["extra_vars"]["sglang_model"])
    tp = flag(argv, "--tp-size", int) or flag(argv, "--tp", int)  # runs before 2026-11-28 wrote --tp
    quant = "fp8" if flag(argv, "--quantization") == "fp8" else "bf16"
    hybrid = "--swa-full-tokens-ratio" in argv
    args = {"speculative": "none", "multimodal": "--enable-multimodal" in argv,
            "sglang_version": plan_doc["plan"]["sglang_version"],
            "mem_fraction_static": flag(argv, "--mem-fraction-static", float)}
    b = planner.memory_basis(profile, gpu_facts(run_dir), tp, quant, hybrid, args,
                             flag(argv, "--attention-backend"))
    e = kv_planner.evaluate(b, flag(argv, "--context-length", int),
                            flag(argv, "--max-running-requests", int),
                            flag(argv, "--swa-full-tokens-ratio", float, 0))
    return {"weights_gib": b["load"]["total"] / GIB, "preload_gib": b["free_mib"] / 1024,
            "full_tokens": e["full_tokens"], "swa_tokens": e["swa_tokens"] if hybrid else None,
            "context": e["context"], "slots": e["slots"], "argv": argv}


def case_rows(run_dir):
    """One dict per case: what SGLang said, what the planner predicts, and the checks."""
    rows = []
    for case_dir in sorted(glob.glob(os.path.join(run_dir, "*", "case.json"))):
        case_dir = os.path.dirname(case_dir)
        case = _read(os.path.join(case_dir, "case.json"))
        if case["case"].get("same_server_as"):
            continue
        got = sglang_numbers(_read(os.path.join(case_dir, "sglang-lines.txt"), ""))
        row = {"case": os.path.basename(case_dir), "expect": case["case"]["expect"],
               "sglang": got, "ready": _read(os.path.join(case_dir, "ready.json")),
               "long_prompt": _read(os.path.join(case_dir, "long-prompt.json")),
               "own_start": _read(os.path.join(case_dir, "sglang-own-start.json")),
               "plan_log": _read(os.path.join(case_dir, "plan.log"), "")}
        if row["expect"] == "start":
            row["predicted"] = predict(run_dir, case_dir)
        rows.append(row)
    return rows


def ratio(predicted, measured):
    return predicted / measured if measured else float("nan")


def checks(row):
    """(name, ok, detail) for the issue's goals."""
    out = []
    if row["expect"] == "refuse":
        refused = "does not fit" in row["plan_log"]
        failed = bool(row["own_start"]) and row["own_start"]["rc"] != 0 and bool(
            row["sglang"].get("out_of_memory"))
        out.append(("planner refuses", refused, ""))
        out.append(("SGLang's own start fails (out of memory)", failed,
                    row["sglang"].get("out_of_memory", "")[:120]))
        return out
    got, pred = row["sglang"], row["predicted"]
    r = ratio(pred["weights_gib"], got["weights_gib"])
    out.append(("weights within %d %%" % (WEIGHTS_TOLERANCE * 100), abs(r - 1) <= WEIGHTS_TOLERANCE,
                "%.2f planned / %.2f SGLang = %.4f" % (pred["weights_gib"], got["weights_gib"], r)))
    r = ratio(pred["full_tokens"], got["full_tokens"])
    out.append(("full pool within %d %%" % (POOL_TOLERANCE * 100), abs(r - 1) <= POOL_TOLERANCE,
                "%d / %d = %.4f" % (pred["full_tokens"], got["full_tokens"], r)))
    if pred["swa_tokens"] is not None:
        r = ratio(pred["swa_tokens"], got.get("swa_tokens"))
        out.append(("SWA pool within %d %%" % (POOL_TOLERANCE * 100), abs(r - 1) <= POOL_TOLERANCE,
                    "%d / %d = %.4f" % (pred["swa_tokens"], got.get("swa_tokens", 0), r)))
    out.append(("started", bool(row["ready"]) and row["ready"]["rc"] == 0 and "context_len" in got,
                "ready after %s s" % (row["ready"] or {}).get("seconds")))
    out.append(("context within SGLang's full pool", got.get("context_len", 1) <= got.get(
        "full_tokens", 0), "%s <= %s" % (got.get("context_len"), got.get("full_tokens"))))
    if row["long_prompt"]:
        lp = row["long_prompt"]
        out.append(("prompt of >= %d %% of the context answered" % (LONG_PROMPT_SHARE * 100),
                    lp.get("status") == 200 and lp.get("prompt_tokens", 0) >= LONG_PROMPT_SHARE
                    * lp["context_length"], "%s of %s tokens, %s s" % (
                        lp.get("prompt_tokens"), lp["context_length"], lp.get("seconds"))))
    return out


def markdown(run_dir):
    rows = case_rows(run_dir)
    lines = ["# Calibration: %s" % os.path.basename(run_dir.rstrip("/")), "",
             "Made by `tests/e2e/gpu/calibration_table.py` from SGLang's own log lines (rank 0) "
             "in each case folder (`sglang-lines.txt`, the whole log in `sglang.log`). "
             "\"planned\" is the planner's memory model for the flags that ran.", "",
             "| case | SGLang: free before load GiB | weights GiB | full tokens | SWA tokens | "
             "context | slots | GiB left after CUDA graphs | ready s | planned: free GiB | "
             "weights GiB | full tokens | SWA tokens |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        got, pred = row["sglang"], row.get("predicted") or {}
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            row["case"], got.get("preload_gib", ""), got.get("weights_gib", ""),
            got.get("full_tokens", ""), got.get("swa_tokens", ""), got.get("context_len", ""),
            got.get("max_running_requests", ""), got.get("left_after_graphs_gib", ""),
            (row["ready"] or {}).get("seconds", ""),
            "%.2f" % pred["preload_gib"] if pred else "", "%.2f" % pred["weights_gib"] if pred
            else "", pred.get("full_tokens", ""), pred.get("swa_tokens") or ""))
    lines += ["", "| case | check | ok | detail |", "|---|---|---|---|"]
    for row in rows:
        for name, ok, detail in checks(row):
            lines.append("| %s | %s | %s | %s |" % (row["case"], name, "yes" if ok else "**NO**",
                                                    detail.replace("|", "/")))
    return "\n".join(lines) + "\n"


def main():
    run_dir = sys.argv[1]
    text = markdown(run_dir)
    print(text)
    if "--write" in sys.argv:
        with open(os.path.join(run_dir, "RESULTS.md"), "w") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
