"""tests/molecule/failure_summary.py: what failed in a scenario, printed again after the destroy
action (CI keeps only the head and the tail of the output)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "tests", "molecule", "failure_summary.py")

# molecule 25's boxed output around Ansible's, with colours, as tests/molecule/run tees it
LOG = """\x1b[36mINFO    \x1b[0m gateway ➜ idempotence: Executing
  │ TASK [llmops.sglang.sglang_gateway : Every worker is healthy in the gateway] ***
  │ [ERROR]: Task failed: Action failed: sglang-gw2: not healthy in the gateway
  │ Origin: roles/sglang_gateway/tasks/verify.yml:77:7
  │ fatal: [sglang-gw2]: FAILED! => {"changed": false, "msg": "sglang-gw2: not healthy in the gateway \
after 2 minutes: http://10.88.77.22:30001"}
  │
  │ PLAY RECAP *********************************************************************
  │ sglang-gw                  : ok=51   changed=0    unreachable=0    failed=0
  │   skipped=4    rescued=0    ignored=0
  │ sglang-gw2                 : ok=30   changed=0    unreachable=0    failed=1
  │   skipped=3    rescued=0    ignored=0
  └─ Return code: 2 ─────────────────────────────────────────────────────────────────
TASK [Destroy molecule instance(s)] ********************************************
ok: [localhost]
"""


def test_the_failed_task_its_message_and_the_failed_hosts_recap_are_printed(tmp_path):
    log = tmp_path / "molecule-gateway.log"
    log.write_text(LOG)
    out = subprocess.run([sys.executable, SCRIPT, str(log)], capture_output=True, text=True,
                         check=True).stdout
    # one block from ansible-core 2.19's [ERROR] line on, the fatal line in it
    assert out.count("-- TASK [llmops.sglang.sglang_gateway : Every worker is healthy in the gateway]") == 1
    assert "[ERROR]: Task failed: Action failed: sglang-gw2" in out
    assert "Origin: roles/sglang_gateway/tasks/verify.yml:77:7" in out
    assert 'fatal: [sglang-gw2]: FAILED! => {"changed": false, "msg": "sglang-gw2: not healthy' in out
    assert "recap: sglang-gw2                 : ok=30   changed=0    unreachable=0    failed=1" in out
    assert "recap: sglang-gw " not in out
    assert "\x1b" not in out and "│" not in out


def test_a_wrong_call_says_how_to_call_it():
    done = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stderr.startswith("usage: python3 failure_summary.py LOG")
