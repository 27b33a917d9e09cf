#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: gpu_facts
short_description: Gather the GPUs of a host as facts for SGLang planning
version_added: "0.1.0"
description:
  - Reads NVIDIA GPUs through C(nvidia-smi) (a CSV query, C(--version) and C(topo -m)), AMD GPUs
    through C(amd-smi) or C(rocm-smi) JSON, and Intel GPUs through C(xpu-smi), whichever is present.
  - Returns C(ansible_facts.gpus), the dict M(llmops.sglang.launch_plan) takes as its
    O(llmops.sglang.launch_plan#module:gpus) argument.
  - Fails with a one-line reason when the host has no GPU, mixes GPU models, or has MIG enabled.
  - Runs every tool with C(LC_ALL=C); changes nothing on the host.
options:
  vendor:
    description:
      - Which vendor's tool to read. V(auto) tries nvidia-smi, then amd-smi, rocm-smi and xpu-smi.
    type: str
    choices: [auto, nvidia, amd, intel]
    default: auto
extends_documentation_fragment:
  - llmops.sglang.attributes
  - llmops.sglang.attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
author:
  - llmops.sglang contributors (@llmops)
"""

EXAMPLES = r"""
- name: Gather GPU facts
  llmops.sglang.gpu_facts:

- name: Show what was found
  ansible.builtin.debug:
    msg: "{{ ansible_facts.gpus.count }} x {{ ansible_facts.gpus.name }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts about the host's GPUs.
  returned: success
  type: dict
  contains:
    gpus:
      description: The GPUs, summarised for the planner.
      type: dict
      returned: success
      contains:
        vendor:
          description: V(nvidia), V(amd) or V(intel).
          type: str
          sample: nvidia
        count:
          description: Number of GPUs.
          type: int
          sample: 8
        name:
          description: Product name as the tool prints it.
          type: str
          sample: NVIDIA H100 80GB HBM3
        family:
          description: Family the planner knows (H100, H200, B200, A100, MI300X, ...), or V(unknown).
          type: str
          sample: H100
        memory_mib:
          description: Memory per GPU in MiB as the tool reports it (the smallest, if they differ).
          type: int
          sample: 81559
        compute_capability:
          description: CUDA compute capability (V(9.0)) or the AMD gfx target.
          type: str
          sample: "9.0"
        driver_version:
          description: Driver version.
          type: str
          sample: 580.159.04
        cuda_version:
          description: Highest CUDA version the driver supports (NVIDIA only).
          type: str
          sample: "13.0"
        interconnect:
          description: V(nvlink) when every GPU pair is NVLink-connected, V(pcie) otherwise,
            V(xgmi)/V(xelink) on AMD/Intel, V(none) for one GPU.
          type: str
          sample: nvlink
        devices:
          description: One entry per GPU (index, name, memory_mib, uuid, pci_bus_id, ...).
          type: list
          elements: dict
"""

import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.llmops.sglang.plugins.module_utils.gpu_parsers import (
    NVIDIA_QUERY_FIELDS,
    GpuParseError,
    amd_facts,
    intel_facts,
    nvidia_facts,
    parse_amd_smi_static_json,
    parse_nvidia_smi_version,
    parse_rocm_smi_json,
    parse_xpu_smi_discovery_json,
)

TOOLS = {
    "nvidia": ["nvidia-smi"],
    "amd": ["amd-smi", "rocm-smi"],
    "intel": ["xpu-smi"],
}


def tool_error(host, argv, rc, out, err):
    """One line: the host, the command, its exit status and the last line it printed."""
    lines = (err or out or "").strip().splitlines()
    return "%s: '%s' exited %d: %s" % (
        host, " ".join(argv), rc, lines[-1].strip() if lines else "(no output)")


def run_tool(module, argv, host):
    rc, out, err = module.run_command(argv, environ_update={"LC_ALL": "C"})
    if rc != 0:
        module.fail_json(msg=tool_error(host, argv, rc, out, err))
    return out


def gather(module, vendor, host):
    for name in (TOOLS[vendor] if vendor != "auto" else sum(TOOLS.values(), [])):
        path = module.get_bin_path(name)
        if not path:
            continue
        if name == "nvidia-smi":
            query = run_tool(module, [path, "--query-gpu=" + ",".join(NVIDIA_QUERY_FIELDS),
                                      "--format=csv,noheader,nounits"], host)
            topo = run_tool(module, [path, "topo", "-m"], host) if query.count("\n") > 1 else None
            facts = nvidia_facts(query, topo, host=host)
            facts["cuda_version"] = parse_nvidia_smi_version(
                run_tool(module, [path, "--version"], host)).get("cuda", "")
            return facts
        if name == "amd-smi":
            return amd_facts(parse_amd_smi_static_json(
                run_tool(module, [path, "static", "--asic", "--vram", "--driver", "--json"], host)),
                host=host)
        if name == "rocm-smi":
            return amd_facts(parse_rocm_smi_json(run_tool(
                module, [path, "--showproductname", "--showmeminfo", "vram",
                         "--showdriverversion", "--json"], host)), host=host)
        if name == "xpu-smi":
            return intel_facts(parse_xpu_smi_discovery_json(
                run_tool(module, [path, "discovery", "--json"], host)), host=host)
    wanted = TOOLS[vendor] if vendor != "auto" else sum(TOOLS.values(), [])
    module.fail_json(msg="%s: no GPU tool found (looked for %s on PATH); install the GPU driver "
                         "or set sglang_gpus for this host" % (host, ", ".join(wanted)))


def build_module():
    return AnsibleModule(
        argument_spec=dict(vendor=dict(type="str", default="auto",
                                       choices=["auto", "nvidia", "amd", "intel"])),
        supports_check_mode=True,
    )


def main():
    module = build_module()
    host = socket.gethostname()
    try:
        facts = gather(module, module.params["vendor"], host)
    except GpuParseError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, ansible_facts={"gpus": facts})


if __name__ == "__main__":
    main()
