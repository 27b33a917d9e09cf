# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure parsers for what the gpu_facts module reads (`nvidia-smi --query-gpu` CSV, `--version`
and `topo -m`; `amd-smi` or `rocm-smi` JSON; `xpu-smi discovery --json`), and the per-vendor
functions that turn them into the facts the planner takes (build_gpu_facts refuses what it cannot
use).

Nothing here runs a command: the gpu_facts module runs the tools and hands their stdout here, and
the unit tests hand the recorded captures from tests/fixtures/gpu-hosts/ to the same functions
(the captures' other formats are read by tests/capture_parsers.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.llmops.sglang.plugins.module_utils.hardware import (
    family_from_name,
)

# The fields gpu_facts asks nvidia-smi for, in this order (the captures used the same list).
NVIDIA_QUERY_FIELDS = (
    "index", "uuid", "name", "serial", "pci.bus_id", "memory.total", "memory.used",
    "memory.free", "compute_cap", "driver_version", "vbios_version", "power.limit",
    "power.max_limit", "clocks.max.sm", "clocks.max.memory", "persistence_mode",
    "mig.mode.current", "ecc.mode.current", "temperature.gpu", "utilization.gpu",
    "pcie.link.gen.max", "pcie.link.width.max",
)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_UNIT = re.compile(r"^\s*(-?[0-9.]+)\s*(MiB|W|MHz|%)\s*$")


class GpuParseError(ValueError):
    """A tool printed something we cannot read; the message says what and where."""


def _strip_units(value):
    m = _UNIT.match(value)
    return m.group(1) if m else value.strip()


def _int_or_none(value):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def parse_nvidia_query_csv(text, fields=NVIDIA_QUERY_FIELDS):
    """Parse `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]`.

    Accepts both the header+units form and the noheader,nounits form. Returns one dict per GPU,
    keyed by the query field names, with units stripped.
    """
    rows = [line for line in text.splitlines() if line.strip()]
    if not rows:
        raise GpuParseError("nvidia-smi --query-gpu printed nothing")
    header = [h.strip().split(" [")[0] for h in rows[0].split(",")]
    if header and header[0] == "index":
        fields = tuple(header)
        rows = rows[1:]
    gpus = []
    for line in rows:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(fields):
            raise GpuParseError(
                "nvidia-smi --query-gpu row has %d fields, expected %d: %r"
                % (len(cells), len(fields), line)
            )
        gpus.append({f: _strip_units(c) for f, c in zip(fields, cells)})
    return gpus


def parse_nvidia_smi_version(text):
    """Parse `nvidia-smi --version`: driver, NVML and CUDA versions."""
    out = {}
    keys = {"NVIDIA-SMI version": "smi", "NVML version": "nvml",
            "DRIVER version": "driver", "CUDA Version": "cuda"}
    for line in text.splitlines():
        if ":" in line:
            key, value = (p.strip() for p in line.split(":", 1))
            if key in keys:
                out[keys[key]] = value
    return out


def parse_nvidia_topo_matrix(text):
    """Parse `nvidia-smi topo -m` (or `topo -p2p r`): {'gpus': [...], 'links': {(i, j): 'NV18'}}.

    nvidia-smi underlines the header row with terminal escape codes; they are dropped first.
    """
    lines = [_ANSI.sub("", line) for line in text.splitlines()]
    header = None
    links = {}
    for line in lines:
        cells = [c.strip() for c in line.split("\t")]
        named = [c for c in cells if c]
        if header is None:
            if named and named[0].startswith("GPU") and all(
                c.startswith("GPU") or c in ("CPU Affinity", "NUMA Affinity", "GPU NUMA ID")
                or c.startswith("NIC") or c.startswith("mlx") for c in named
            ):
                header = [c for c in named if re.match(r"^GPU\d+$", c)]
            continue
        if not named or not re.match(r"^GPU\d+$", named[0]):
            if not line.strip():
                break
            continue
        row = named[0]
        values = named[1:1 + len(header)]
        for col, value in zip(header, values):
            if col != row:
                links[(row, col)] = value
    if header is None:
        raise GpuParseError("no GPU header row in nvidia-smi topo output")
    return {"gpus": header, "links": links}


def interconnect_from_topology(topo):
    """'nvlink' when every GPU pair is joined by NVLink (NV#), 'pcie' when any pair is not,
    'none' for one GPU."""
    if len(topo["gpus"]) < 2:
        return "none"
    values = topo["links"].values()
    if all(v.startswith("NV") for v in values):
        return "nvlink"
    return "pcie"


def parse_amd_smi_static_json(text):
    """Parse `amd-smi static --asic --vram --driver --json` (list of per-GPU objects)."""
    data = _load_json(text, "amd-smi static --json")
    if isinstance(data, dict):
        data = data.get("gpu_data", [data])
    gpus = []
    for item in data:
        asic = item.get("asic", {})
        size = item.get("vram", {}).get("size", {})
        value = size.get("value") if isinstance(size, dict) else size
        unit = (size.get("unit") if isinstance(size, dict) else "MB") or "MB"
        mib = _int_or_none(value)
        if mib is not None and unit.upper() in ("GB", "GIB"):
            mib *= 1024
        gpus.append({
            "index": item.get("gpu"),
            "name": asic.get("market_name", ""),
            "gfx_version": asic.get("target_graphics_version", ""),
            "memory_mib": mib,
            "driver_version": item.get("driver", {}).get("version", ""),
        })
    return gpus


def parse_rocm_smi_json(text):
    """Parse `rocm-smi --showproductname --showmeminfo vram --showdriverversion --json`."""
    data = _load_json(text, "rocm-smi --json")
    gpus = []
    driver = data.get("system", {}).get("Driver version", "")
    for card in sorted(k for k in data if k.startswith("card")):
        info = data[card]
        total = _int_or_none(info.get("VRAM Total Memory (B)"))
        gpus.append({
            "index": int(card[4:]),
            "name": info.get("Card Series") or info.get("Card series", ""),
            "gfx_version": info.get("GFX Version", ""),
            "memory_mib": total // (1024 * 1024) if total else None,
            "driver_version": driver,
        })
    return gpus


def parse_xpu_smi_discovery_json(text):
    """Parse `xpu-smi discovery --json`."""
    data = _load_json(text, "xpu-smi discovery --json")
    gpus = []
    for dev in data.get("device_list", []):
        size = _int_or_none(dev.get("memory_physical_size_byte"))
        gpus.append({
            "index": dev.get("device_id"),
            "name": dev.get("device_name", ""),
            "memory_mib": size // (1024 * 1024) if size else None,
            "driver_version": dev.get("driver_version", ""),
        })
    return gpus


def _load_json(text, what):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise GpuParseError("%s printed invalid JSON: %s" % (what, exc))


def _device(index, name, memory_mib, **extra):
    dev = {"index": index, "name": name, "memory_mib": memory_mib}
    dev.update(extra)
    return dev


def build_gpu_facts(vendor, devices, driver_version="", cuda_version="", interconnect="none",
                    compute_capability=None, host="this host"):
    """Turn per-device records into the facts dict, refusing what the planner cannot use.

    Refuses: no GPU, mixed models, MIG enabled. The message names the host and what was found.
    """
    if not devices:
        raise GpuParseError("%s: no %s GPU found" % (host, vendor))
    names = sorted({d["name"] for d in devices})
    if len(names) > 1:
        raise GpuParseError(
            "%s: mixed GPU models on one host (%s); SGLang shards a model evenly across GPUs of "
            "one kind: limit the service to one model with CUDA_VISIBLE_DEVICES or split the host"
            % (host, ", ".join(names)))
    mig = [d["index"] for d in devices if str(d.get("mig_mode", "")).lower() == "enabled"]
    if mig:
        raise GpuParseError(
            "%s: MIG is enabled on GPU %s; SGLang needs whole GPUs: disable MIG "
            "(nvidia-smi -i N -mig 0) or plan another host" % (host, ", ".join(map(str, mig))))
    sizes = [d["memory_mib"] for d in devices]
    if any(s is None for s in sizes):
        raise GpuParseError("%s: GPU memory size missing for some of %s" % (host, names[0]))
    family = family_from_name(names[0])
    facts = {
        "vendor": vendor,
        "count": len(devices),
        "name": names[0],
        "family": family["family"],
        "memory_mib": min(sizes),
        "compute_capability": compute_capability or family.get("compute_capability", ""),
        "driver_version": driver_version,
        "cuda_version": cuda_version,
        "interconnect": interconnect if len(devices) > 1 else "none",
        "devices": devices,
    }
    return facts


def _nvidia_index(text, host):
    if not text.isdigit():
        raise GpuParseError("%s: nvidia-smi printed GPU index %r, not a number" % (host, text))
    return int(text)


def _compute_capability(text, host):
    """'9.0' as nvidia-smi prints it; empty where the driver does not report it."""
    if text and not re.match(r"[0-9]{1,2}\.[0-9]{1,2}\Z", text):
        raise GpuParseError("%s: nvidia-smi printed compute_cap %r, not MAJOR.MINOR such as 9.0"
                            % (host, text))
    return text


def nvidia_facts(query_csv, topo_text=None, host="this host"):
    """Facts from `nvidia-smi --query-gpu` CSV and (optionally) `nvidia-smi topo -m`."""
    try:
        rows = parse_nvidia_query_csv(query_csv)
    except GpuParseError as exc:
        raise GpuParseError("%s: %s" % (host, exc))
    devices = [
        _device(
            _nvidia_index(r["index"], host), r["name"], _int_or_none(r.get("memory.total")),
            uuid=r.get("uuid", ""), pci_bus_id=r.get("pci.bus_id", ""),
            compute_capability=_compute_capability(r.get("compute_cap", ""), host),
            memory_free_mib=_int_or_none(r.get("memory.free")),
            mig_mode=r.get("mig.mode.current", ""),
        )
        for r in rows
    ]
    caps = sorted({d["compute_capability"] for d in devices})
    interconnect = "none"
    if topo_text and len(devices) > 1:
        interconnect = interconnect_from_topology(parse_nvidia_topo_matrix(topo_text))
    driver = rows[0].get("driver_version", "") if rows else ""
    return build_gpu_facts(
        "nvidia", devices, driver_version=driver, interconnect=interconnect,
        compute_capability=caps[0] if len(caps) == 1 else None, host=host)


def amd_facts(records, host="this host"):
    """Facts from parse_amd_smi_static_json or parse_rocm_smi_json records."""
    devices = [_device(r["index"], r["name"], r["memory_mib"], gfx_version=r.get("gfx_version", ""))
               for r in records]
    driver = records[0].get("driver_version", "") if records else ""
    # MI300-class parts are joined by Infinity Fabric; it plays NVLink's role for tensor parallel.
    return build_gpu_facts("amd", devices, driver_version=driver,
                           interconnect="xgmi" if len(devices) > 1 else "none", host=host)


def intel_facts(records, host="this host"):
    """Facts from parse_xpu_smi_discovery_json records."""
    devices = [_device(r["index"], r["name"], r["memory_mib"]) for r in records]
    driver = records[0].get("driver_version", "") if records else ""
    return build_gpu_facts("intel", devices, driver_version=driver,
                           interconnect="xelink" if len(devices) > 1 else "none", host=host)
