"""GPU tool parsers, on the real captures (every format in tests/fixtures/gpu-hosts, the formats
the product does not read through tests/capture_parsers.py) and the derived ones; the facts
builder's refusals."""

import json

import pytest

import capture_parsers as cp
from helpers import fixture_text
from ansible_collections.llmops.sglang.plugins.module_utils import gpu_parsers as gp

H100 = "h100-80gb-hbm3-x1"
H200 = "h200-141gb-x4"

# host, count, name, family, memory_mib, cc, driver, cuda, interconnect
REAL = [
    (H100, 1, "NVIDIA H100 80GB HBM3", "H100", 81559, "9.0", "580.159.04", "13.0", "none"),
    (H200, 4, "NVIDIA H200", "H200", 143771, "9.0", "580.159.04", "13.0", "nvlink"),
]


@pytest.mark.parametrize("host,count,name,family,mib,cc,driver,cuda,link", REAL)
@pytest.mark.parametrize("csv", ["query-gpu.csv", "query-gpu-nounits.csv"])
def test_nvidia_facts_from_query_csv(csv, host, count, name, family, mib, cc, driver, cuda, link):
    facts = gp.nvidia_facts(fixture_text(host, csv), fixture_text(host, "topo-m.txt"), host=host)
    facts["cuda_version"] = gp.parse_nvidia_smi_version(
        fixture_text(host, "nvidia-smi-version.txt"))["cuda"]
    assert (facts["vendor"], facts["count"], facts["name"], facts["family"]) == (
        "nvidia", count, name, family)
    assert (facts["memory_mib"], facts["compute_capability"]) == (mib, cc)
    assert (facts["driver_version"], facts["cuda_version"], facts["interconnect"]) == (
        driver, cuda, link)
    assert [d["index"] for d in facts["devices"]] == list(range(count))
    assert all(d["uuid"].startswith("GPU-") for d in facts["devices"])


@pytest.mark.parametrize("host,count,name,family,mib,cc,driver,cuda,link", REAL)
def test_every_nvidia_format_agrees(host, count, name, family, mib, cc, driver, cuda, link):
    listed = cp.parse_nvidia_smi_list(fixture_text(host, "nvidia-smi-L.txt"))
    assert [g["name"] for g in listed["gpus"]] == [name] * count
    assert listed["mig_devices"] == []
    uuids = [r["uuid"] for r in gp.parse_nvidia_query_csv(fixture_text(host, "query-gpu.csv"))]
    assert [g["uuid"] for g in listed["gpus"]] == uuids

    version = gp.parse_nvidia_smi_version(fixture_text(host, "nvidia-smi-version.txt"))
    assert (version["driver"], version["cuda"]) == (driver, cuda)
    assert cp.parse_proc_driver_version(fixture_text(host, "proc-driver-version.txt"))[
        "driver"] == driver

    table = cp.parse_nvidia_smi_table(fixture_text(host, "nvidia-smi.txt"))
    assert (table["driver_version"], table["cuda_version"]) == (driver, cuda)
    assert [(g["name"], g["memory_mib"]) for g in table["gpus"]] == [(name, mib)] * count

    for parsed in (cp.parse_nvidia_smi_xml(fixture_text(host, "nvidia-smi-q-x.xml")),
                   cp.parse_nvidia_smi_q(fixture_text(host, "nvidia-smi-q.txt"))):
        assert (parsed["driver_version"], parsed["cuda_version"]) == (driver, cuda)
        assert [(g["name"], g["memory_mib"], g["architecture"], g["mig_mode"])
                for g in parsed["gpus"]] == [(name, mib, "Hopper", "Disabled")] * count

    # NVML reports the same total in bytes; torch sees less (the driver's reserve)
    nvml = fixture_text(host, "pynvml.txt").splitlines()
    assert nvml[0].startswith("driver %s" % driver)
    assert {int(line.split()[-4]) // 2 ** 20 for line in nvml[1:]} == {mib}
    torch_view = json.loads(fixture_text(host, "torch.txt").split("\nmem_get_info")[0])
    assert all(d["total_memory"] // 2 ** 20 < mib for d in torch_view["devices"])


def test_topology_matrix_h200_nvlink_with_escape_codes():
    text = fixture_text(H200, "topo-m.txt")
    assert "\x1b[4m" in text  # nvidia-smi underlines the header
    topo = gp.parse_nvidia_topo_matrix(text)
    assert topo["gpus"] == ["GPU0", "GPU1", "GPU2", "GPU3"]
    assert len(topo["links"]) == 12 and set(topo["links"].values()) == {"NV18"}
    assert gp.interconnect_from_topology(topo) == "nvlink"


def test_topology_single_gpu_and_p2p_matrix():
    topo = gp.parse_nvidia_topo_matrix(fixture_text(H100, "topo-m.txt"))
    assert topo == {"gpus": ["GPU0"], "links": {}}
    assert gp.interconnect_from_topology(topo) == "none"
    p2p = gp.parse_nvidia_topo_matrix(fixture_text(H200, "topo-p2p.txt"))
    assert set(p2p["links"].values()) == {"OK"}


def test_pcie_topology_is_not_nvlink():
    text = fixture_text(H200, "topo-m.txt").replace("NV18\tNV18\tNV18\t0-63", "NV18\tNV18\tPIX\t0-63")
    assert gp.interconnect_from_topology(gp.parse_nvidia_topo_matrix(text)) == "pcie"


def test_nvlink_status():
    status = cp.parse_nvlink_status(fixture_text(H200, "nvlink-s.txt"))
    assert sorted(status) == [0, 1, 2, 3]
    assert status[0] == [26.562] * 18
    assert cp.parse_nvlink_status(fixture_text(H100, "nvlink-s.txt")) == {}


@pytest.mark.parametrize("folder,count,family,mib,cc", [
    ("derived-h100-x8", 8, "H100", 81559, "9.0"),
    ("derived-h200-x8", 8, "H200", 143771, "9.0"),
    ("derived-b200-x8", 8, "B200", 183359, "10.0"),
])
def test_derived_nvidia_hosts(folder, count, family, mib, cc):
    facts = gp.nvidia_facts(fixture_text(folder, "query-gpu-nounits.csv"),
                            fixture_text(folder, "topo-m.txt"))
    assert (facts["count"], facts["family"], facts["memory_mib"], facts["compute_capability"],
            facts["interconnect"]) == (count, family, mib, cc, "nvlink")
    assert len({d["uuid"] for d in facts["devices"]}) == count


def test_amd_smi_static_json_derived():
    facts = gp.amd_facts(gp.parse_amd_smi_static_json(
        fixture_text("derived-mi300x-x8", "amd-smi-static.json")))
    assert (facts["vendor"], facts["count"], facts["family"], facts["memory_mib"],
            facts["compute_capability"], facts["interconnect"]) == (
        "amd", 8, "MI300X", 196592, "gfx942", "xgmi")


def test_rocm_smi_json_shape():
    text = json.dumps({
        "card0": {"Card Series": "AMD Instinct MI300X", "GFX Version": "gfx942",
                  "VRAM Total Memory (B)": "206141652992"},
        "card1": {"Card Series": "AMD Instinct MI300X", "GFX Version": "gfx942",
                  "VRAM Total Memory (B)": "206141652992"},
        "system": {"Driver version": "6.10.5"}})
    facts = gp.amd_facts(gp.parse_rocm_smi_json(text))
    assert (facts["count"], facts["memory_mib"], facts["driver_version"]) == (2, 196592, "6.10.5")


def test_xpu_smi_discovery_json_shape():
    text = json.dumps({"device_list": [
        {"device_id": i, "device_name": "Intel(R) Data Center GPU Max 1550",
         "memory_physical_size_byte": str(128 * 2 ** 30)} for i in range(4)]})
    facts = gp.intel_facts(gp.parse_xpu_smi_discovery_json(text))
    assert (facts["vendor"], facts["count"], facts["family"], facts["memory_mib"]) == (
        "intel", 4, "Max 1550", 131072)


def _rows(host):
    return fixture_text(host, "query-gpu-nounits.csv").strip().splitlines()


def test_mixed_models_refused_naming_host_and_models():
    mixed = _rows(H200)[:1] + [_rows(H100)[0].replace("0, GPU-", "1, GPU-", 1)]
    with pytest.raises(gp.GpuParseError) as err:
        gp.nvidia_facts("\n".join(mixed), host="gpu-7")
    assert "gpu-7" in str(err.value) and "NVIDIA H100 80GB HBM3, NVIDIA H200" in str(err.value)


def test_mig_enabled_refused():
    rows = [r.replace("Enabled, Disabled, Enabled", "Enabled, Enabled, Enabled") for r in _rows(H200)]
    with pytest.raises(gp.GpuParseError, match=r"gpu-8: MIG is enabled on GPU 0, 1, 2, 3"):
        gp.nvidia_facts("\n".join(rows), host="gpu-8")


@pytest.mark.parametrize("text,match", [
    ("", "printed nothing"),
    ("0, GPU-x, NVIDIA H100", "has 3 fields, expected 22"),
])
def test_bad_query_output(text, match):
    with pytest.raises(gp.GpuParseError, match=match):
        gp.nvidia_facts(text)


def test_no_gpu_refused():
    with pytest.raises(gp.GpuParseError, match="gpu-9: no amd GPU found"):
        gp.amd_facts([], host="gpu-9")


@pytest.mark.parametrize("bad,parser", [
    ("{not json", gp.parse_amd_smi_static_json),
    ("<nvidia_smi_log><gpu>", cp.parse_nvidia_smi_xml),
    ("no header here", gp.parse_nvidia_topo_matrix),
    ("nothing", cp.parse_nvidia_smi_table),
])
def test_unreadable_output_is_a_parse_error(bad, parser):
    with pytest.raises(gp.GpuParseError):
        parser(bad)
