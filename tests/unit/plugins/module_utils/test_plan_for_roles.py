"""What the plan decides once for the roles after it (service, smoke, bench, accuracy): where the
server answers from the host, whether the host serves, how long a start may take, which groups
open the GPUs."""

import pytest

from helpers import SCOUT, facts
from ansible_collections.llmops.sglang.plugins.module_utils import planner
from ansible_collections.llmops.sglang.plugins.module_utils.planner import plan_launch

URLS = [
    ("127.0.0.1", 30000, "http://127.0.0.1:30000"),
    ("0.0.0.0", 30000, "http://127.0.0.1:30000"),
    ("::", 8080, "http://127.0.0.1:8080"),
    ("10.0.4.11", 30001, "http://10.0.4.11:30001"),
    ("::1", 30000, "http://[::1]:30000"),
]


@pytest.mark.parametrize("host,port,url", URLS)
def test_local_url(host, port, url):
    assert planner.local_url(host, port) == url


@pytest.mark.parametrize("gib,seconds", [(0, 900), (55.18, 2003), (105.37, 3007)])
def test_start_timeout_grows_with_the_weights_this_host_loads(gib, seconds):
    assert planner.start_timeout(gib) == seconds


def test_scout_on_8xh100():
    plan = plan_launch({"gpus": facts("derived-h100-x8"), "model": SCOUT, "host": "0.0.0.0"})["plan"]
    assert plan["local_url"] == "http://127.0.0.1:30000"
    assert plan["serving_node"] is True
    assert plan["weights_gib_on_host"] == pytest.approx(plan["weights_gib_per_gpu"] * 8, abs=0.05)
    assert plan["start_timeout_s"] == planner.start_timeout(plan["weights_gib_on_host"])
    assert plan["device_groups"] == []
    assert plan["download_gib"] == pytest.approx(plan["weights_gib_per_gpu"] * 8, abs=0.05)


def test_rank_one_of_two_does_not_serve_and_loads_its_half():
    plan = plan_launch({"gpus": facts("h200-141gb-x4"), "model": SCOUT, "nnodes": 2,
                        "node_rank": 1, "dist_init_addr": "10.0.0.1:5000"})["plan"]
    assert plan["serving_node"] is False
    assert plan["tp_size"] == 8
    assert plan["weights_gib_on_host"] == pytest.approx(plan["weights_gib_per_gpu"] * 4, abs=0.05)
    # each rank downloads the whole checkpoint: the disk check counts all of it
    assert plan["download_gib"] == pytest.approx(plan["weights_gib_per_gpu"] * 8, abs=0.05)
    assert plan["gpu_vendor"] == "nvidia" and plan["driver_version"] == "580.159.04"


def test_amd_gpus_need_video_and_render():
    plan = plan_launch({"gpus": facts("derived-mi300x-x8"), "model": SCOUT})["plan"]
    assert plan["device_groups"] == ["video", "render"]
