"""The real-GPU calibration cases, as data: one source for the runner on the GPU machine
(calibrate.py) and the checks on the CPU (tests/unit/test_calibration.py).

Each case names the real-dimension checkpoint (make_real_dims.py), the machine kind it needs,
the inventory variables it sets on top of calibration-inventory.yml, what is expected (the plan
starts, or the planner refuses and SGLang's own start fails), and what runs against the server.
"""

# Goals from the planner issue: SGLang's own numbers against the plan.
WEIGHTS_TOLERANCE = 0.03
POOL_TOLERANCE = 0.05
LONG_PROMPT_SHARE = 0.9

CASES = {
    # Scout at tp 4, text only, the hybrid pool with the ratio and slots the planner chooses, the
    # longest context that starts; a prompt filling >= 90 % of it.
    "scout-h100x4-auto": {
        "kind": "nvidia-h100-x4", "model": "llama4-scout", "vars": {},
        "expect": "start", "checks": ["long_prompt"],
    },
    # The seed's two bench profiles on Scout tp 4 at a given 131,072-token context, where the
    # planner keeps SGLang's default slots (the auto plan runs only 16 requests at a time).
    "scout-h100x4-131k-bench": {
        "kind": "nvidia-h100-x4", "model": "llama4-scout", "vars": {"sglang_context_length": 131072},
        "expect": "start", "checks": ["bench:latency"],
    },
    # The same server, the throughput profile (a second call while it still serves).
    "scout-h100x4-131k-throughput": {
        "kind": "nvidia-h100-x4", "model": "llama4-scout", "vars": {"sglang_context_length": 131072},
        "same_server_as": "scout-h100x4-131k-bench", "expect": "start", "checks": ["bench:throughput"],
    },
    # Maverick BF16 cannot fit 4 x H100: the planner refuses; SGLang's own start must fail too.
    "maverick-h100x4-refused": {
        "kind": "nvidia-h100-x4", "model": "llama4-maverick", "vars": {},
        "expect": "refuse",
        "sglang_args": ["--tp-size", "4", "--context-length", "131072"],
    },
    # Scout at tp 2 on 2 x H200, BF16 and online FP8, auto context; the BF16 server also takes
    # a prompt filling >= 90 % of its context and the latency profile.
    "scout-h200x2-bf16-auto": {
        "kind": "nvidia-h200-x2", "model": "llama4-scout", "vars": {},
        "expect": "start", "checks": ["long_prompt", "bench:latency"],
    },
    "scout-h200x2-bf16-auto-throughput": {
        "kind": "nvidia-h200-x2", "model": "llama4-scout", "vars": {},
        "same_server_as": "scout-h200x2-bf16-auto", "expect": "start", "checks": ["bench:throughput"],
    },
    "scout-h200x2-fp8-auto-bench": {
        "kind": "nvidia-h200-x2", "model": "llama4-scout", "vars": {"sglang_quantization": "fp8"},
        "same_server_as": "scout-h200x2-fp8-auto", "expect": "start",
        "checks": ["bench:latency", "bench:throughput"],
    },
    # Maverick BF16 cannot fit 2 x H200 (~400 GB a GPU): refused; SGLang's own start must fail.
    "maverick-h200x2-refused": {
        "kind": "nvidia-h200-x2", "model": "llama4-maverick", "vars": {},
        "expect": "refuse", "sglang_args": ["--tp-size", "2", "--context-length", "131072"],
    },
    "scout-h200x2-fp8-auto": {
        "kind": "nvidia-h200-x2", "model": "llama4-scout", "vars": {"sglang_quantization": "fp8"},
        "expect": "start", "checks": [],
    },
    # Eight-GPU cases (the eight-GPU issue): ready to run where nvidia-h100-x8 / nvidia-h200-x8 are
    # lent. The cookbook's contexts and the planner's auto ones, with and without the hybrid pool.
    "scout-h100x8-1m": {
        "kind": "nvidia-h100-x8", "model": "llama4-scout",
        "vars": {"sglang_context_length": 1048576}, "expect": "start", "checks": ["long_prompt"],
    },
    "scout-h100x8-auto": {
        "kind": "nvidia-h100-x8", "model": "llama4-scout", "vars": {},
        "expect": "start", "checks": [],
    },
    "scout-h100x8-full-kv-auto": {
        "kind": "nvidia-h100-x8", "model": "llama4-scout", "vars": {"sglang_hybrid_kv": False},
        "expect": "start", "checks": [],
    },
    "scout-h100x8-131k-bench": {
        "kind": "nvidia-h100-x8", "model": "llama4-scout", "vars": {"sglang_context_length": 131072},
        "expect": "start", "checks": ["bench:latency", "bench:throughput"],
    },
    "scout-h200x8-2.5m": {
        "kind": "nvidia-h200-x8", "model": "llama4-scout",
        "vars": {"sglang_context_length": 2500000, "sglang_hybrid_kv": False},
        "expect": "start", "checks": [],
    },
    "scout-h200x8-auto": {
        "kind": "nvidia-h200-x8", "model": "llama4-scout", "vars": {},
        "expect": "start", "checks": [],
    },
    "maverick-h200x8-auto": {
        "kind": "nvidia-h200-x8", "model": "llama4-maverick", "vars": {},
        "expect": "start", "checks": ["long_prompt"],
    },
    "maverick-h100x8-refused": {
        "kind": "nvidia-h100-x8", "model": "llama4-maverick", "vars": {},
        "expect": "refuse", "sglang_args": ["--tp-size", "8", "--context-length", "131072"],
    },
}

# The device tool may lend 4 x H200 for a 4 x H100 request: the same cases, named for that kind
# (the planner plans them from the GPUs it finds).
CASES.update({
    name.replace("-h100x4-", "-h200x4-"): dict(
        case, kind="nvidia-h200-x4",
        **({"same_server_as": case["same_server_as"].replace("-h100x4-", "-h200x4-")}
           if "same_server_as" in case else {}))
    for name, case in list(CASES.items()) if "-h100x4-" in name})
