"""GPU vendors and families as checked rows: the backend SGLang picks, FP8 support, the device
flag and the larger families a refusal suggests come from the rows, as tables."""

import pytest

from ansible_collections.llmops.sglang.plugins.module_utils import hardware


def gpus(vendor, cc, family="X", memory_mib=81559):
    return {"vendor": vendor, "compute_capability": cc, "family": family, "memory_mib": memory_mib,
            "count": 8, "name": family}


def test_every_family_row_is_complete_and_checked():
    for row in hardware.FAMILIES:
        hardware.check_family_row(row)
    with pytest.raises(ValueError, match="fields"):
        hardware.check_family_row({k: v for k, v in hardware.FAMILIES[0].items() if k != "memory_mib"})
    with pytest.raises(ValueError, match="vendor='acme' is not one of nvidia, amd, intel"):
        hardware.check_family_row(dict(hardware.FAMILIES[0], vendor="acme"))


@pytest.mark.parametrize("vendor,cc,backend,why", [
    ("nvidia", "9.0", "fa3", "Hopper sm90: SGLang uses fa3 (FlashAttention 3)"),
    ("nvidia", "10.0", "trtllm_mha", "Blackwell sm100: SGLang uses trtllm_mha"),
    ("nvidia", "10.3", "trtllm_mha", "Blackwell sm103: SGLang uses trtllm_mha"),
    ("nvidia", "8.9", "triton", "compute capability 8.9: SGLang falls back to triton"),
    ("nvidia", "12.0", "triton", "compute capability 12.0: SGLang falls back to triton"),
    ("amd", "gfx942", "aiter", "AMD GPU: SGLang uses aiter"),
    ("intel", "", "intel_xpu", "Intel XPU: SGLang uses intel_xpu"),
])
def test_backend_rules(vendor, cc, backend, why):
    assert hardware.attention_backend_for(gpus(vendor, cc)) == (backend, why)


@pytest.mark.parametrize("vendor,cc,fp8", [
    ("nvidia", "8.0", False), ("nvidia", "8.9", True), ("nvidia", "9.0", True),
    ("nvidia", "10.0", True), ("amd", "gfx90a", False), ("amd", "gfx942", True),
    ("amd", "gfx950", True), ("intel", "", False)])
def test_fp8_support(vendor, cc, fp8):
    assert hardware.supports_fp8(gpus(vendor, cc)) is fp8


def test_device_flag_and_larger_families():
    assert hardware.device_for(gpus("intel", "")) == "xpu"
    assert hardware.device_for(gpus("nvidia", "9.0")) is None
    assert [v["family"] for v in hardware.larger_variants(gpus("nvidia", "9.0", "H100"))] == [
        "H200", "B200"]
    assert [v["family"] for v in hardware.larger_variants(gpus("nvidia", "9.0", "H200", 143771))] == [
        "B200"]
    assert hardware.larger_variants(gpus("amd", "gfx942", "MI300X", 196592)) == []
    assert "compute capability >= 8.9 on nvidia" in hardware.fp8_rule_text()
