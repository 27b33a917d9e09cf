# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU vendors and families as data: how to recognise one, its memory and bandwidth, which
attention backend SGLang picks on it, whether it runs FP8, which device flag it needs.

Add a family by adding a row to FAMILIES, a vendor by a row in VENDORS; the planner reads
nothing else about hardware and names no vendor or family itself. Bandwidths are the vendors'
datasheet figures (TB/s per GPU), used for the decode ceiling.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Per vendor: SGLang's --device value (None: its CUDA default); FP8 support, by the minimum
# NVIDIA compute capability or the AMD gfx prefixes; the families a plan that does not fit may
# name as larger alternatives (tried in order, only those with more memory); the groups the
# service user joins to open the devices (ROCm's /dev/kfd and /dev/dri: video and render).
VENDORS = {
    "nvidia": {"device": None, "fp8_min_cc": (8, 9), "fp8_gfx": (),
               "larger_families": ("H200", "B200"), "device_groups": ()},
    "amd": {"device": None, "fp8_min_cc": None, "fp8_gfx": ("gfx94", "gfx95"),
            "larger_families": (), "device_groups": ("video", "render")},
    "intel": {"device": "xpu", "fp8_min_cc": None, "fp8_gfx": (), "larger_families": (),
              "device_groups": ()},
}

# The attention backend SGLang picks by itself (Llama 4's rule in model_runner and
# attention_hook): the first row whose vendor matches and whose compute capability starts with
# `cc` (None: any) wins; no row matches -> FALLBACK_BACKEND.
BACKEND_RULES = (
    {"vendor": "amd", "cc": None, "backend": "aiter", "why": "AMD GPU: SGLang uses aiter"},
    {"vendor": "intel", "cc": None, "backend": "intel_xpu",
     "why": "Intel XPU: SGLang uses intel_xpu"},
    {"vendor": "nvidia", "cc": (10,), "backend": "trtllm_mha",
     "why": "Blackwell sm%(cc)s: SGLang uses trtllm_mha"},
    {"vendor": "nvidia", "cc": (9, 0), "backend": "fa3",
     "why": "Hopper sm90: SGLang uses fa3 (FlashAttention 3)"},
)
FALLBACK_BACKEND = ("triton", "compute capability %(cc)s: SGLang falls back to triton")

# Every row has every field. memory_mib: what nvidia-smi reports for the family, where one
# capacity is known (the planner uses it to suggest the family as a larger alternative), else None.
# Patterns are matched in order; GB200's and B200's cannot match each other's names (\b).
FAMILY_FIELDS = {"family": str, "pattern": str, "vendor": str, "arch": str,
                 "compute_capability": str, "bandwidth_tbps": float, "memory_mib": (int, type(None))}
FAMILIES = (
    {"family": "GB200", "pattern": r"\bGB200\b", "vendor": "nvidia", "arch": "blackwell",
     "compute_capability": "10.0", "bandwidth_tbps": 8.0, "memory_mib": None},
    {"family": "B200", "pattern": r"\bB200\b", "vendor": "nvidia", "arch": "blackwell",
     "compute_capability": "10.0", "bandwidth_tbps": 8.0, "memory_mib": 183359},
    {"family": "H200", "pattern": r"\bH200\b", "vendor": "nvidia", "arch": "hopper",
     "compute_capability": "9.0", "bandwidth_tbps": 4.8, "memory_mib": 143771},
    {"family": "H100", "pattern": r"\bH100\b", "vendor": "nvidia", "arch": "hopper",
     "compute_capability": "9.0", "bandwidth_tbps": 3.35, "memory_mib": None},
    {"family": "H20", "pattern": r"\bH20\b", "vendor": "nvidia", "arch": "hopper",
     "compute_capability": "9.0", "bandwidth_tbps": 4.0, "memory_mib": None},
    {"family": "L40S", "pattern": r"\bL40S\b", "vendor": "nvidia", "arch": "ada",
     "compute_capability": "8.9", "bandwidth_tbps": 0.864, "memory_mib": None},
    {"family": "A100", "pattern": r"\bA100\b", "vendor": "nvidia", "arch": "ampere",
     "compute_capability": "8.0", "bandwidth_tbps": 2.0, "memory_mib": None},
    {"family": "MI355X", "pattern": r"\bMI355X?\b", "vendor": "amd", "arch": "cdna4",
     "compute_capability": "gfx950", "bandwidth_tbps": 8.0, "memory_mib": None},
    {"family": "MI325X", "pattern": r"\bMI325X?\b", "vendor": "amd", "arch": "cdna3",
     "compute_capability": "gfx942", "bandwidth_tbps": 6.0, "memory_mib": None},
    {"family": "MI300X", "pattern": r"\bMI300X?\b", "vendor": "amd", "arch": "cdna3",
     "compute_capability": "gfx942", "bandwidth_tbps": 5.3, "memory_mib": None},
    {"family": "Max 1550", "pattern": r"\bMax 1550\b", "vendor": "intel", "arch": "xe-hpc",
     "compute_capability": "", "bandwidth_tbps": 3.2, "memory_mib": None},
)

UNKNOWN_FAMILY = {"family": "unknown", "pattern": "", "vendor": "", "arch": "unknown",
                  "compute_capability": "", "bandwidth_tbps": None, "memory_mib": None}


def check_family_row(row):
    """A FAMILIES row has exactly FAMILY_FIELDS, each of its type, and a vendor of VENDORS."""
    if set(row) != set(FAMILY_FIELDS):
        raise ValueError("hardware family %r: fields %s, expected %s" % (
            row.get("family"), sorted(row), sorted(FAMILY_FIELDS)))
    for field, kind in FAMILY_FIELDS.items():
        if not isinstance(row[field], kind):
            raise ValueError("hardware family %r: %s=%r is not %s" % (
                row["family"], field, row[field], kind))
    if row["vendor"] not in VENDORS:
        raise ValueError("hardware family %r: vendor=%r is not one of %s" % (
            row["family"], row["vendor"], ", ".join(VENDORS)))


for _row in FAMILIES:
    check_family_row(_row)


def device_groups(gpus):
    """The groups the service user needs to open these GPUs (VENDORS)."""
    return list(VENDORS.get(gpus.get("vendor"), {}).get("device_groups", ()))


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
    """The attention backend SGLang picks by itself on this hardware, and why (BACKEND_RULES)."""
    cc = compute_capability_tuple(gpus.get("compute_capability"))
    for rule in BACKEND_RULES:
        if rule["vendor"] == gpus.get("vendor") and (
                rule["cc"] is None or cc and cc[:len(rule["cc"])] == rule["cc"]):
            return rule["backend"], rule["why"] % {"cc": "%d%d" % cc if cc else ""}
    return FALLBACK_BACKEND[0], FALLBACK_BACKEND[1] % {
        "cc": gpus.get("compute_capability") or "unknown"}


def supports_fp8(gpus):
    """FP8 units: NVIDIA from the vendor row's compute capability, AMD by its gfx prefixes."""
    vendor = VENDORS.get(gpus.get("vendor"))
    if vendor is None:
        return False
    if vendor["fp8_gfx"]:
        return str(gpus.get("compute_capability", "")).startswith(vendor["fp8_gfx"])
    cc = compute_capability_tuple(gpus.get("compute_capability"))
    return bool(vendor["fp8_min_cc"] and cc and cc >= vendor["fp8_min_cc"])


def fp8_rule_text():
    """Which GPUs run FP8, from VENDORS, for messages."""
    parts = []
    for name, row in VENDORS.items():
        if row["fp8_min_cc"]:
            parts.append("compute capability >= %d.%d on %s" % (row["fp8_min_cc"] + (name,)))
        if row["fp8_gfx"]:
            parts.append("%s on %s" % ("/".join(g + "x" for g in row["fp8_gfx"]), name))
    return " or ".join(parts)


def device_for(gpus):
    """SGLang's --device for this vendor, or None for its default."""
    return VENDORS[gpus["vendor"]]["device"]


def larger_variants(gpus):
    """The same hosts with each larger family of the vendor (VENDORS' larger_families, by the
    memory nvidia-smi reports for that family), for a refusal's ways out."""
    out = []
    for family in VENDORS[gpus["vendor"]]["larger_families"]:
        row = family_row(family)
        if row["memory_mib"] and row["memory_mib"] > gpus["memory_mib"]:
            out.append(dict(gpus, family=family, memory_mib=row["memory_mib"],
                            compute_capability=row["compute_capability"]))
    return out


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
