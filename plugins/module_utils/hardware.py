# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU families as data: how to recognise one, its architecture and memory bandwidth.

Add a family by adding a row to FAMILIES; the planner reads nothing else about hardware.
Bandwidths are the vendors' datasheet figures (TB/s per GPU), used for the decode ceiling.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Order matters: the first pattern that matches the product name wins ("H200" before "H100" is
# not needed, but "GB200" must come before "B200").
FAMILIES = (
    {"family": "GB200", "pattern": r"\bGB200\b", "vendor": "nvidia", "arch": "blackwell",
     "compute_capability": "10.0", "bandwidth_tbps": 8.0},
    {"family": "B200", "pattern": r"\bB200\b", "vendor": "nvidia", "arch": "blackwell",
     "compute_capability": "10.0", "bandwidth_tbps": 8.0, "memory_mib": 183359},
    {"family": "H200", "pattern": r"\bH200\b", "vendor": "nvidia", "arch": "hopper",
     "compute_capability": "9.0", "bandwidth_tbps": 4.8, "memory_mib": 143771},
    {"family": "H100", "pattern": r"\bH100\b", "vendor": "nvidia", "arch": "hopper",
     "compute_capability": "9.0", "bandwidth_tbps": 3.35},
    {"family": "H20", "pattern": r"\bH20\b", "vendor": "nvidia", "arch": "hopper",
     "compute_capability": "9.0", "bandwidth_tbps": 4.0},
    {"family": "L40S", "pattern": r"\bL40S\b", "vendor": "nvidia", "arch": "ada",
     "compute_capability": "8.9", "bandwidth_tbps": 0.864},
    {"family": "A100", "pattern": r"\bA100\b", "vendor": "nvidia", "arch": "ampere",
     "compute_capability": "8.0", "bandwidth_tbps": 2.0},
    {"family": "MI355X", "pattern": r"\bMI355X?\b", "vendor": "amd", "arch": "cdna4",
     "compute_capability": "gfx950", "bandwidth_tbps": 8.0},
    {"family": "MI325X", "pattern": r"\bMI325X?\b", "vendor": "amd", "arch": "cdna3",
     "compute_capability": "gfx942", "bandwidth_tbps": 6.0},
    {"family": "MI300X", "pattern": r"\bMI300X?\b", "vendor": "amd", "arch": "cdna3",
     "compute_capability": "gfx942", "bandwidth_tbps": 5.3},
    {"family": "Max 1550", "pattern": r"\bMax 1550\b", "vendor": "intel", "arch": "xe-hpc",
     "compute_capability": "", "bandwidth_tbps": 3.2},
)

UNKNOWN_FAMILY = {"family": "unknown", "vendor": "", "arch": "unknown", "compute_capability": "",
                  "bandwidth_tbps": None}


def family_from_name(name):
    """The FAMILIES row whose pattern matches a product name, or UNKNOWN_FAMILY."""
    for row in FAMILIES:
        if re.search(row["pattern"], name or "", re.I):
            return row
    return UNKNOWN_FAMILY


def family_row(family):
    for row in FAMILIES:
        if row["family"] == family:
            return row
    return UNKNOWN_FAMILY


def compute_capability_tuple(value):
    """'9.0' -> (9, 0); anything else (AMD gfx names, '') -> None."""
    m = re.match(r"^(\d+)\.(\d+)$", str(value or ""))
    return (int(m.group(1)), int(m.group(2))) if m else None


def attention_backend_for(gpus):
    """The attention backend SGLang picks by itself for Llama 4 on this hardware, and why."""
    vendor = gpus.get("vendor")
    if vendor == "amd":
        return "aiter", "AMD GPU: SGLang uses aiter"
    if vendor == "intel":
        return "intel_xpu", "Intel XPU: SGLang uses intel_xpu"
    cc = compute_capability_tuple(gpus.get("compute_capability"))
    if cc and cc[0] == 10:
        return "trtllm_mha", "Blackwell sm%d%d: SGLang uses trtllm_mha" % cc
    if cc == (9, 0):
        return "fa3", "Hopper sm90: SGLang uses fa3 (FlashAttention 3)"
    return "triton", "compute capability %s: SGLang falls back to triton" % (
        gpus.get("compute_capability") or "unknown")


def supports_fp8(gpus):
    """Online FP8 needs compute capability >= 8.9 on NVIDIA; MI300-class AMD has FP8 units."""
    if gpus.get("vendor") == "amd":
        return str(gpus.get("compute_capability", "")).startswith(("gfx94", "gfx95"))
    if gpus.get("vendor") == "intel":
        return False
    cc = compute_capability_tuple(gpus.get("compute_capability"))
    return bool(cc and cc >= (8, 9))


# What the CUDA/ROCm context and the communicators hold before weights load, per GPU, by tensor-
# parallel size: SGLang sizes the KV pool from the free memory at that point (the minimum over the
# ranks), not from the card's total. Measured with SGLang 0.5.17 (its "Load weight begin. avail
# mem" line and the pools it sized; raw lines under tests/e2e/gpu/results/):
#   tp 1: 1,300 MiB (1 x H100, the tiny model: max_total_num_tokens 34,321,360 at fraction 0.835)
#   tp 2: ~2,250 MiB (2 x H200: "Load weight begin. avail mem=138.21 GB", i.e. 2,244 MiB)
#   tp 4: ~2,430 MiB (4 x H200: "Load weight begin. avail mem=138.03 GB" of 143,771 MiB, i.e.
#         2,428 MiB; the earlier 4 x H100 pools implied ~2,350, the larger value is kept)
# Larger tp sizes are not measured yet: 8 takes the largest measured value plus the step from 2 to
# 4 again (NCCL and custom all-reduce buffers grow with the peers).
PRELOAD_OVERHEAD_MIB = {1: 1300, 2: 2250, 4: 2430}


def preload_overhead_mib(tp):
    """MiB per GPU in use before SGLang loads weights, at this tensor-parallel size."""
    if tp in PRELOAD_OVERHEAD_MIB:
        return PRELOAD_OVERHEAD_MIB[tp]
    known = sorted(PRELOAD_OVERHEAD_MIB)
    below = [t for t in known if t < tp]
    if not below:
        return PRELOAD_OVERHEAD_MIB[known[0]]
    step = PRELOAD_OVERHEAD_MIB[known[-1]] - PRELOAD_OVERHEAD_MIB[known[-2]]
    return PRELOAD_OVERHEAD_MIB[below[-1]] + max(step, 0) * max(1, len([t for t in (8, 16, 32, 64)
                                                                       if below[-1] < t <= tp]))
