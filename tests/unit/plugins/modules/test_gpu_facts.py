"""gpu_facts: a failing GPU tool is reported in one line of text (host, command, exit status, the
tool's last line), never as a Python list; the tools' output is read through gpu_parsers."""

import pytest

from helpers import fixture_text
from ansible_collections.llmops.sglang.plugins.modules import gpu_facts


class Failed(Exception):
    pass


class FakeModule:
    """run_command answers from a table keyed by the command's first arguments."""

    def __init__(self, answers, tools=("nvidia-smi",)):
        self.answers = answers
        self.tools = tools
        self.calls = []

    def get_bin_path(self, name):
        return "/usr/bin/" + name if name in self.tools else None

    def run_command(self, argv, environ_update=None):
        self.calls.append((argv, environ_update))
        for prefix, answer in self.answers:
            if all(a.startswith(p) for a, p in zip(argv[1:], prefix)) and len(argv) > len(prefix):
                return answer
        raise AssertionError("unexpected command %r" % argv)

    def fail_json(self, msg, **kwargs):
        raise Failed(msg)


@pytest.mark.parametrize("out,err,shown", [
    ("", "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"
         "Make sure that the latest NVIDIA driver is installed and running.\n",
     "Make sure that the latest NVIDIA driver is installed and running."),
    ("Failed to initialize NVML: Driver/library version mismatch\n", "",
     "Failed to initialize NVML: Driver/library version mismatch"),
    ("", "", "(no output)"),
])
def test_a_failing_tool_is_one_line_of_text(out, err, shown):
    module = FakeModule([(["--query-gpu"], (9, out, err))])
    with pytest.raises(Failed) as failed:
        gpu_facts.gather(module, "nvidia", "gpu-3")
    msg = str(failed.value)
    assert msg.startswith("gpu-3: '/usr/bin/nvidia-smi --query-gpu=index,uuid,")
    assert msg.endswith("' exited 9: " + shown)
    assert "[" not in msg.split("exited 9:")[1] and "\n" not in msg


def test_facts_from_the_recorded_h200_host():
    host = "h200-141gb-x4"
    module = FakeModule([
        (["--query-gpu"], (0, fixture_text(host, "query-gpu-nounits.csv"), "")),
        (["topo", "-m"], (0, fixture_text(host, "topo-m.txt"), "")),
        (["--version"], (0, fixture_text(host, "nvidia-smi-version.txt"), "")),
    ])
    facts = gpu_facts.gather(module, "auto", "gpu-4")
    assert (facts["count"], facts["family"], facts["interconnect"], facts["cuda_version"]) == (
        4, "H200", "nvlink", "13.0")
    assert all(env == {"LC_ALL": "C"} for _argv, env in module.calls)


def test_no_tool_names_what_was_looked_for():
    with pytest.raises(Failed, match=r"gpu-5: no GPU tool found \(looked for amd-smi, rocm-smi on "
                                     r"PATH\)"):
        gpu_facts.gather(FakeModule([], tools=()), "amd", "gpu-5")
