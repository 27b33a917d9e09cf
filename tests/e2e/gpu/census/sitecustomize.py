"""Test-only, real-GPU calibration: a per-module memory census of the model SGLang loaded.

Put this folder on PYTHONPATH of the SGLang server (calibrate.sh does, through
start_from_unit.py's E2E_PYTHONPATH) and set E2E_CENSUS_DIR. Every SGLang process imports it at
start; in the scheduler processes it wraps ModelRunner's steps once sglang's model_runner module
is imported, and writes E2E_CENSUS_DIR/census-tp<rank>.json with:
  - after load_model: bytes of parameters and buffers per module path (layer numbers folded to
    '*') and dtype, torch's allocated/reserved bytes, and the free memory SGLang reads;
  - after each later step (KV pool, CUDA graphs): the same memory readings.
Changes nothing SGLang computes. Never shipped in the collection.
"""

import importlib.abc
import importlib.util
import json
import os
import re
import sys

TARGET = "sglang.srt.model_executor.model_runner"
WRAPPED_STEPS = ("load_model", "alloc_memory_pool", "init_memory_pool", "init_cuda_graphs",
                 "post_capture_resize_kv_pool")


def _memory():
    import torch
    free, total = torch.cuda.mem_get_info()
    return {"allocated": torch.cuda.memory_allocated(), "reserved": torch.cuda.memory_reserved(),
            "free": free, "total": total}


def _census(model):
    groups = {}
    for name, module in model.named_modules():
        path = re.sub(r"\.\d+(?=\.|$)", ".*", name) or "(root)"
        for kind, tensors in (("param", module.named_parameters(recurse=False)),
                              ("buffer", module.named_buffers(recurse=False))):
            for tname, tensor in tensors:
                if tensor.device.type != "cuda":
                    continue
                key = "%s %s.%s %s" % (kind, path, re.sub(r"^\d+$", "*", tname),
                                       str(tensor.dtype).replace("torch.", ""))
                entry = groups.setdefault(key, {"count": 0, "bytes": 0,
                                                "shape": list(tensor.shape)})
                entry["count"] += 1
                entry["bytes"] += tensor.numel() * tensor.element_size()
    return groups


def _record(runner, step, extra=None):
    out_dir = os.environ.get("E2E_CENSUS_DIR")
    if not out_dir:
        return
    rank = getattr(getattr(runner, "ps", None), "tp_rank", getattr(runner, "tp_rank", 0))
    if getattr(runner, "is_draft_worker", False):
        rank = "%s-draft" % rank
    path = os.path.join(out_dir, "census-tp%s.json" % rank)
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        data = {"steps": []}
    entry = {"step": step, "memory": _memory()}
    entry.update(extra or {})
    data["steps"].append(entry)
    with open(path, "w") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)


def _wrap(cls, name):
    original = getattr(cls, name, None)
    if original is None:
        return

    def wrapper(self, *args, **kwargs):
        if name == "load_model":
            _record(self, "before load_model")
        result = original(self, *args, **kwargs)
        try:
            extra = {}
            if name == "load_model":
                extra["modules"] = _census(self.model)
            for attr in ("max_total_num_tokens", "full_max_total_num_tokens",
                         "swa_max_total_num_tokens"):
                value = getattr(self, attr, None)
                if isinstance(value, int):
                    extra[attr] = value
            pool = getattr(self, "req_to_token_pool", None)
            table = getattr(pool, "req_to_token", None)
            if table is not None:
                extra["req_to_token_shape"] = list(table.shape)
            _record(self, "after " + name, extra)
        except Exception as exc:  # the census must never stop the server
            sys.stderr.write("census: %s failed: %r\n" % (name, exc))
        return result

    setattr(cls, name, wrapper)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != TARGET:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module):
            original_exec(module)
            runner = getattr(module, "ModelRunner", None)
            if runner is not None:
                for step in WRAPPED_STEPS:
                    _wrap(runner, step)

        loader.exec_module = exec_module
        return spec


if os.environ.get("E2E_CENSUS_DIR"):
    sys.meta_path.insert(0, _Finder())
