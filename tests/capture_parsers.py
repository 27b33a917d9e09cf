"""Parsers for the other formats in the real GPU captures (tests/fixtures/gpu-hosts/): `nvidia-smi -L`,
the default table, `-q`, `-q -x`, `nvlink -s` and /proc/driver/nvidia/version.

The product reads only `--query-gpu` CSV, `--version` and `topo -m` (plugins/module_utils/
gpu_parsers.py); these parse the rest of each capture so a test can check every format agrees
with what the product reads.
"""

import re
import xml.etree.ElementTree as ET

from ansible_collections.llmops.sglang.plugins.module_utils.gpu_parsers import GpuParseError


def _int_or_none(value):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def parse_nvidia_smi_list(text):
    """Parse `nvidia-smi -L`: [{'index', 'name', 'uuid'}] (MIG devices appear as extra lines)."""
    gpus = []
    mig = []
    for line in text.splitlines():
        m = re.match(r"^GPU (\d+): (.+?) \(UUID: (\S+)\)\s*$", line)
        if m:
            gpus.append({"index": int(m.group(1)), "name": m.group(2), "uuid": m.group(3)})
            continue
        if re.match(r"^\s+MIG ", line):
            mig.append(line.strip())
    return {"gpus": gpus, "mig_devices": mig}


def parse_proc_driver_version(text):
    """Parse /proc/driver/nvidia/version: the kernel module's version and flavour."""
    m = re.search(r"NVRM version: (.*?)\s+(\d+\.\d+(?:\.\d+)?)\s", text)
    if not m:
        raise GpuParseError("no NVRM version line in /proc/driver/nvidia/version")
    return {"module": m.group(1).strip(), "driver": m.group(2)}


def parse_nvidia_smi_table(text):
    """Parse the default `nvidia-smi` table: driver, CUDA and per-GPU name and memory (MiB)."""
    head = re.search(r"Driver Version:\s*(\S+)\s+CUDA Version:\s*(\S+)", text)
    if not head:
        raise GpuParseError("no 'Driver Version' header in nvidia-smi output")
    gpus = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\|\s+(\d+)\s+(.+?)\s+(On|Off)\s+\|", line)
        if m and i + 1 < len(lines):
            mem = re.search(r"(\d+)MiB\s*/\s*(\d+)MiB", lines[i + 1])
            gpus.append({
                "index": int(m.group(1)),
                "name": m.group(2).strip(),
                "memory_used_mib": int(mem.group(1)) if mem else None,
                "memory_mib": int(mem.group(2)) if mem else None,
            })
    return {"driver_version": head.group(1), "cuda_version": head.group(2), "gpus": gpus}


def parse_nvidia_smi_xml(text):
    """Parse `nvidia-smi -q -x`."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise GpuParseError("nvidia-smi -q -x printed invalid XML: %s" % exc)
    gpus = []
    for gpu in root.findall("gpu"):
        mem = gpu.findtext("fb_memory_usage/total", "")
        gpus.append({
            "name": gpu.findtext("product_name", "").strip(),
            "architecture": gpu.findtext("product_architecture", "").strip(),
            "uuid": gpu.findtext("uuid", "").strip(),
            "pci_bus_id": gpu.get("id"),
            "memory_mib": _int_or_none(mem.replace("MiB", "").strip()),
            "mig_mode": gpu.findtext("mig_mode/current_mig", "").strip(),
        })
    return {
        "driver_version": root.findtext("driver_version", "").strip(),
        "cuda_version": root.findtext("cuda_version", "").strip(),
        "gpus": gpus,
    }


def parse_nvidia_smi_q(text):
    """Parse `nvidia-smi -q` (the human key/value form): per-GPU name, arch, memory, MIG mode."""
    driver = re.search(r"^Driver Version\s*:\s*(\S+)", text, re.M)
    cuda = re.search(r"^CUDA Version\s*:\s*(\S+)", text, re.M)
    gpus = []
    for block in re.split(r"^GPU (?=[0-9A-Fa-f]{8}:)", text, flags=re.M)[1:]:
        name = re.search(r"^\s+Product Name\s*:\s*(.+)$", block, re.M)
        arch = re.search(r"^\s+Product Architecture\s*:\s*(.+)$", block, re.M)
        fb = re.search(r"FB Memory Usage\s*\n\s+Total\s*:\s*(\d+) MiB", block)
        mig = re.search(r"MIG Mode\s*\n\s+Current\s*:\s*(\S+)", block)
        gpus.append({
            "pci_bus_id": block.split("\n", 1)[0].strip(),
            "name": name.group(1).strip() if name else "",
            "architecture": arch.group(1).strip() if arch else "",
            "memory_mib": int(fb.group(1)) if fb else None,
            "mig_mode": mig.group(1) if mig else "",
        })
    return {
        "driver_version": driver.group(1) if driver else "",
        "cuda_version": cuda.group(1) if cuda else "",
        "gpus": gpus,
    }


def parse_nvlink_status(text):
    """Parse `nvidia-smi nvlink -s`: {gpu_index: [GB/s per active link]}."""
    out = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^GPU (\d+):", line)
        if m:
            current = int(m.group(1))
            out[current] = []
            continue
        m = re.match(r"^\s+Link \d+: ([0-9.]+) GB/s", line)
        if m and current is not None:
            out[current].append(float(m.group(1)))
    return out
