#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation only: the work is done on the controller by plugins/action/launch_plan.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: launch_plan
short_description: Compute SGLang launch arguments for a host from its GPU facts
version_added: "0.1.0"
description:
  - Pure computation on the controller (an action plugin); no module is sent to the host, so
    planning a thousand hosts costs no remote round trips.
  - Picks the tensor-parallel size, attention backend, quantization, memory fraction and context
    length from memory arithmetic (weights per GPU, KV bytes per token, the hybrid local/global
    KV pool, the request table), and the chat template, multimodal, tool-calling and EAGLE3 flags.
  - Refuses what cannot fit, before anything is installed, with the numbers and the ways out.
  - Reads every argument from the host's C(sglang_<name>) variable (C(sglang_version) keeps its
    name), as M(llmops.sglang.fleet_plan) does; an argument given to the task takes precedence.
  - Always returns C(changed=false).
options:
  gpus:
    description:
      - The GPU facts dict M(llmops.sglang.gpu_facts) returns. Needed, here or from the host's
        C(sglang_gpus), else the C(ansible_facts.gpus) M(llmops.sglang.gpu_facts) gathered.
    type: dict
  model:
    description:
      - A hub id with a known profile (C(meta-llama/Llama-4-Scout-17B-16E-Instruct),
        C(meta-llama/Llama-4-Maverick-17B-128E-Instruct),
        C(meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8)) or a local model folder.
      - A local folder is an absolute path; C(~) and relative paths are refused (the controller,
        root on the host and the service user would each read another folder). It is planned from
        O(model_config), else from its C(config.json) when the controller can read it, else from
        O(model_profile).
      - Needed, here or from the host's C(sglang_model).
    type: str
  model_profile:
    description: Profile (a known hub id) of the weights in a local O(model) folder.
    type: str
  model_config:
    description:
      - The C(config.json) of a local O(model) folder on the host (the sglang_preflight
        role reads it there), parsed or as its JSON text, used to plan it like a known model.
    type: raw
  quantization:
    description:
      - V(auto) keeps the checkpoint's precision (BF16, or FP8 for an FP8 checkpoint);
        V(fp8) quantizes a BF16 checkpoint online (needs compute capability 8.9 or more).
    type: str
    choices: [auto, bf16, fp8]
    default: auto
  context_length:
    description:
      - V(auto) is the longest context that starts, never above the full-layer KV pool (kept 3 %
        below it) nor the model's max positions, with at least 16 requests running at once; with
        the hybrid pool the planner also chooses O(swa_full_tokens_ratio) and
        C(--max-running-requests) so the SWA pool holds every running request's 8,192-token
        local window.
      - A number is kept with SGLang's defaults when they fit. Otherwise the planner sets the slots
        (and the SWA ratio), or refuses it with the numbers and the ways out.
    type: raw
    default: auto
  multimodal:
    description: Accept images (C(--enable-multimodal)); reserves memory for the vision encoder.
    type: bool
    default: false
  tool_calling:
    description: Parse tool calls (C(--tool-call-parser pythonic)).
    type: bool
    default: false
  metrics:
    description:
      - Prometheus metrics on the server's C(/metrics) (C(--enable-metrics)); a multi-node replica
        also gets C(--enable-metrics-for-all-schedulers), so every rank reports.
    type: bool
    default: true
  speculative:
    description: V(eagle3) adds EAGLE3 speculative decoding with the model's known draft.
    type: str
    choices: [none, eagle3]
    default: none
  hybrid_kv:
    description: Separate KV pools for local and global attention layers. Unset means SGLang's
      default for the architecture (on for Llama4ForConditionalGeneration).
    type: bool
  swa_full_tokens_ratio:
    description: Local-layer KV tokens over global-layer KV tokens in the hybrid pool (above 0, at
      most 1). V(auto) keeps SGLang's 0.8 where the context fits with it, else the smallest ratio
      whose SWA pool holds the running requests' local windows.
    type: raw
    default: auto
  mem_fraction_static:
    description: V(auto) leaves SGLang's own reserve for CUDA graphs and activations plus the
      request table outside the KV pool (never above SGLang's own default); or a fraction (0 to
      0.99), refused when it leaves less than SGLang reserves.
    type: raw
    default: auto
  max_running_requests:
    description:
      - V(auto) keeps SGLang's estimate (2048 to 4096 request slots, 48 under EAGLE3) while its
        request table, slots x (context_length + 4) x 4 bytes per GPU, takes at most 5 % of the KV
        budget; past that (long contexts) the plan passes C(--max-running-requests). A number
        passes C(--max-running-requests).
    type: raw
    default: auto
  attention_backend:
    description: V(auto) picks what SGLang would pick for the hardware (fa3 on Hopper, trtllm_mha
      on Blackwell, aiter on AMD, intel_xpu on Intel, else triton) and states it; or name one.
    type: str
    choices: [auto, fa3, aiter, triton, trtllm_mha, intel_xpu]
    default: auto
  host:
    description: Address the server listens on.
    type: str
    default: 127.0.0.1
  port:
    description:
      - TCP port of the server; with O(replicas_per_host) above 1, of the first server, the others
        taking the next ports.
    type: int
    default: 30000
  tp_size:
    description:
      - Tensor-parallel size of each server; V(auto) is the largest the model accepts over the GPUs
        of one server.
      - A size the model does not accept, or more GPUs than a server gets, is refused with the numbers.
    type: raw
    default: auto
  replicas_per_host:
    description:
      - SGLang servers on this host, each on its own GPUs (C(--base-gpu-id)) and port; the GPUs are shared out
        equally, and the memory arithmetic is each server's.
      - More servers than GPUs, or with O(nnodes) above 1, is refused.
    type: int
    default: 1
  served_model_name:
    description: Name clients use in requests; defaults to O(model) (a local path's last part).
    type: str
  nnodes:
    description: Number of hosts one model instance spans (tensor parallel over all their GPUs).
    type: int
    default: 1
  node_rank:
    description: This host's rank among O(nnodes) (0 serves the API).
    type: int
    default: 0
  dist_init_addr:
    description: C(HOST:PORT) of rank 0 for multi-node start-up; the same on every rank.
    type: str
  extra_args:
    description: Arguments appended last; must not repeat a planned flag or carry a secret.
    type: list
    elements: str
    default: []
  sglang_version:
    description: SGLang release the arguments are for.
    type: str
    default: 0.5.23
extends_documentation_fragment:
  - llmops.sglang.attributes
  - llmops.sglang.attributes.action
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  action:
    support: full
notes:
  - The arithmetic is documented in the module_utils planner and in each plan's C(reasons).
seealso:
  - module: llmops.sglang.gpu_facts
  - module: llmops.sglang.fleet_plan
author:
  - llmops.sglang contributors (@llmops)
"""

EXAMPLES = r"""
- name: Plan Llama 4 Scout on this host's GPUs
  llmops.sglang.launch_plan:
    gpus: "{{ ansible_facts.gpus }}"
    model: meta-llama/Llama-4-Scout-17B-16E-Instruct
    multimodal: true
    tool_calling: true
  register: scout_plan

- name: Show the command
  ansible.builtin.debug:
    var: scout_plan.command
"""

RETURN = r"""
argv:
  description: Arguments after C(python -m sglang.launch_server).
  returned: success
  type: list
  elements: str
  sample: ["--model-path", "meta-llama/Llama-4-Scout-17B-16E-Instruct", "--tp-size", "8"]
command:
  description: The whole command line, shell-quoted.
  returned: success
  type: str
plan:
  description: The decisions and the numbers behind them.
  returned: success
  type: dict
  contains:
    tp_size:
      description: Tensor-parallel size.
      type: int
    attention_backend:
      description: Attention backend passed to SGLang.
      type: str
    quantization:
      description: V(bf16) or V(fp8).
      type: str
    context_length:
      description: Context length passed to SGLang.
      type: int
    max_context_length:
      description: The longest context that fits.
      type: int
    kv_pool_tokens:
      description: Full-layer KV pool in tokens SGLang is expected to allocate
        (max_total_num_tokens; full_layer_tokens with the hybrid pool).
      type: int
    swa_pool_tokens:
      description: Local-layer (SWA) KV pool in tokens with the hybrid pool (swa_layer_tokens).
      type: int
    max_running_requests:
      description: Request slots SGLang runs with (planned, given or its own default).
      type: int
    free_before_load_gib_per_gpu:
      description: GPU memory free before SGLang loads weights (its "Load weight begin" line).
      type: float
    request_table_gib_per_gpu:
      description: SGLang's request table, allocated after the KV pool.
      type: float
    left_after_table_gib_per_gpu:
      description: What remains for CUDA graphs and activations after the pool and the table; at
        least C(sglang_reserve_gib_per_gpu).
      type: float
    sglang_reserve_gib_per_gpu:
      description: What SGLang's own default fraction reserves for CUDA graphs and activations.
      type: float
    kv_bytes_per_token:
      description: KV cache bytes per token over all GPUs (hybrid-aware).
      type: int
    weights_gib_per_gpu:
      description: What SGLang holds per GPU after loading (its "Load weight end ... mem usage"), that
        is the parameters as sharded, the fp32 rotary cache, online-FP8 overhead, the EAGLE3 draft.
      type: float
    mem_fraction_static:
      description: Memory fraction passed to SGLang.
      type: float
    model_is_local:
      description: Whether O(model) is a local folder (an absolute path) rather than a hub id.
      type: bool
    active_weight_bytes_per_token:
      description: Bytes of weights read to decode one token over the whole model (all GPUs),
        each part in its own dtype (BF16 or FP8), counting only the routed experts a token uses.
      type: int
    reasons:
      description: One line per decision, with its arithmetic.
      type: list
      elements: str
"""
