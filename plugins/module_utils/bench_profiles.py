# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark profiles as data -> SGLang bench_serving command lines (pure).

A profile is a dict; the two defaults are the ones SGLang's Llama 4 page judges a deployment by:
latency (random 1000/1000, 10 prompts, concurrency 1) and throughput (random 1000/1000, 1000
prompts, concurrency 100), both with --random-range-ratio 1 so every request has exactly those
lengths.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.llmops.sglang.plugins.module_utils.safe_text import is_printable

# profile names become file names (<profile>.jsonl): matched to the end ('$' lets "x\n" through)
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}\Z")
# bench_serving options the role writes itself (an extra one, or any prefix argparse expands to
# it, would point the run elsewhere or write elsewhere), and option names that carry secrets
OWNED_OPTIONS = ("--backend", "--base-url", "--host", "--port", "--model", "--served-model-name",
                 "--tokenizer", "--dataset-name", "--dataset-path", "--num-prompts",
                 "--max-concurrency", "--request-rate", "--warmup-requests", "--seed",
                 "--output-file", "--output-details", "--tag", "--random-input-len",
                 "--random-output-len", "--random-range-ratio", "--apply-chat-template")
SECRET_OPTION_RE = re.compile(r"key|token|passw|secret|auth|header", re.I)
DATASETS = ("random", "random-ids", "sharegpt")
# integer keys -> their smallest allowed value
INTEGER_KEYS = {"num_prompts": 1, "max_concurrency": 1, "input_len": 1, "output_len": 1,
                "warmup_requests": 0, "timeout": 60, "seed": 0}
KNOWN_KEYS = set(INTEGER_KEYS) | {"name", "range_ratio", "request_rate", "dataset",
                                  "apply_chat_template", "extra_args", "description"}
DEFAULTS = {"warmup_requests": 1, "range_ratio": 1.0, "request_rate": "inf", "dataset": "random",
            "apply_chat_template": False, "extra_args": [], "timeout": 7200, "seed": 1}


class ProfileError(Exception):
    pass


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate_profiles(profiles, selected=None, host="this host", defaults=None):
    """Normalised profiles (defaults filled in), in order, restricted to `selected` names when
    given. Raises ProfileError naming the profile, the value and what is allowed."""
    if not isinstance(profiles, list) or not profiles:
        raise ProfileError("%s: sglang_bench_profiles must be a non-empty list of profiles "
                           "(dicts with name, num_prompts, max_concurrency, input_len, "
                           "output_len)" % host)
    base = dict(DEFAULTS)
    base.update(defaults or {})
    out, names = [], []
    for index, raw in enumerate(profiles):
        if not isinstance(raw, dict):
            raise ProfileError("%s: sglang_bench_profiles[%d]=%r is not a dict" % (host, index, raw))
        name = raw.get("name")
        where = "%s: benchmark profile %r" % (host, name if name is not None else index)
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise ProfileError("%s: name=%r must be 1-63 characters of a-z, 0-9, '_' or '-' "
                               "(it names the result file)" % (where, name))
        if name in names:
            raise ProfileError("%s: the name is used twice in sglang_bench_profiles" % where)
        names.append(name)
        unknown = sorted(set(raw) - KNOWN_KEYS)
        if unknown:
            raise ProfileError("%s: unknown key(s) %s; allowed: %s" % (
                where, ", ".join(unknown), ", ".join(sorted(KNOWN_KEYS))))
        profile = dict(base)
        profile.update(raw)
        for key, minimum in INTEGER_KEYS.items():
            if key not in profile:
                raise ProfileError("%s: %s is missing (a whole number >= %d)" % (where, key, minimum))
            if not _is_int(profile[key]) or profile[key] < minimum:
                raise ProfileError("%s: %s=%r must be a whole number >= %d" % (
                    where, key, profile[key], minimum))
        ratio = profile["range_ratio"]
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 < ratio <= 1:
            raise ProfileError("%s: range_ratio=%r must be a number in (0, 1]; 1 makes every "
                               "request exactly input_len/output_len tokens" % (where, ratio))
        rate = profile["request_rate"]
        if rate != "inf" and (isinstance(rate, bool) or not isinstance(rate, (int, float))
                              or rate <= 0):
            raise ProfileError("%s: request_rate=%r must be 'inf' (all at once, bounded by "
                               "max_concurrency) or requests per second > 0" % (where, rate))
        if profile["dataset"] not in DATASETS:
            raise ProfileError("%s: dataset=%r is not one of %s" % (
                where, profile["dataset"], ", ".join(DATASETS)))
        if not isinstance(profile["apply_chat_template"], bool):
            raise ProfileError("%s: apply_chat_template=%r must be true or false" % (
                where, profile["apply_chat_template"]))
        _check_extra_args(profile["extra_args"], where)
        if profile["max_concurrency"] > profile["num_prompts"]:
            raise ProfileError("%s: max_concurrency=%d exceeds num_prompts=%d, so it would never "
                               "be reached" % (where, profile["max_concurrency"],
                                               profile["num_prompts"]))
        out.append(profile)
    if selected:
        if isinstance(selected, str):
            selected = [s.strip() for s in selected.split(",") if s.strip()]
        missing = [s for s in selected if s not in names]
        if missing:
            raise ProfileError("%s: sglang_bench_run_profiles names %s, not among the profiles "
                               "(%s)" % (host, ", ".join(missing), ", ".join(names)))
        out = [p for p in out if p["name"] in selected]
    return out


def _check_extra_args(extra, where):
    if not isinstance(extra, list) or not all(isinstance(a, str) for a in extra):
        raise ProfileError("%s: extra_args must be a list of strings, got a %s" % (
            where, type(extra).__name__))
    for index, arg in enumerate(extra):
        if not is_printable(arg):
            raise ProfileError("%s: extra_args[%d]=%r holds a control or format character" % (
                where, index, arg))
    for index, arg in enumerate(extra):
        option = arg.split("=", 1)[0]
        if not option.startswith("--"):
            continue
        if SECRET_OPTION_RE.search(option):
            raise ProfileError("%s: extra_args[%d]=%r would put a secret on bench_serving's command "
                               "line; the role passes the API key in the environment" % (
                                   where, index, option))
        owned = [o for o in OWNED_OPTIONS if o.startswith(option)]
        if owned:
            raise ProfileError("%s: extra_args[%d]=%r sets %s, which the role sets from the plan "
                               "and the profile; change the profile's keys instead" % (
                                   where, index, option, owned[0]))


def bench_serving_argv(profile, python, base_url, model, served_model_name, tokenizer,
                       dataset_path, output_file):
    """One profile's bench_serving command (SGLang's own client, --backend sglang)."""
    argv = [python, "-m", "sglang.bench_serving", "--backend", "sglang",
            "--base-url", base_url, "--model", model, "--served-model-name", served_model_name,
            "--tokenizer", tokenizer, "--dataset-name", profile["dataset"],
            "--num-prompts", str(profile["num_prompts"]),
            "--max-concurrency", str(profile["max_concurrency"]),
            "--request-rate", str(profile["request_rate"]),
            "--warmup-requests", str(profile["warmup_requests"]),
            "--seed", str(profile["seed"]),
            "--output-file", output_file, "--tag", profile["name"]]
    if profile["dataset"].startswith("random"):
        argv += ["--random-input-len", str(profile["input_len"]),
                 "--random-output-len", str(profile["output_len"]),
                 "--random-range-ratio", str(profile["range_ratio"])]
    if dataset_path and profile["dataset"] in ("random", "sharegpt"):
        argv += ["--dataset-path", dataset_path]
    if profile["apply_chat_template"]:
        argv.append("--apply-chat-template")
    return argv + list(profile["extra_args"])
