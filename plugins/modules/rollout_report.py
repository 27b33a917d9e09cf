#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: rollout_report
short_description: Write a rollout's record (rollout.json and rollout.md) on the controller
version_added: "0.3.0"
description:
  - From each rolled host's record (rollout.yml's C(sglang_rollout_record)), writes
    C(<report_dir>/rollout.json) (each host's result, reasons, versions, bursts and the seconds of
    each step) and C(<report_dir>/rollout.md) (one line per host).
options:
  records:
    description: The hosts' records.
    type: list
    elements: dict
    required: true
  report_dir:
    description: The folder to write into (created).
    type: path
    required: true
author:
  - llmops.sglang contributors (@llmops)
"""

EXAMPLES = r"""
- name: Write the rollout record
  llmops.sglang.rollout_report:
    records: "{{ records }}"
    report_dir: reports/dc1/20261206T120000Z
  delegate_to: localhost
"""

RETURN = r"""
path:
  description: The rollout.json written.
  returned: success
  type: str
report:
  description: What rollout.json holds.
  returned: success
  type: dict
"""

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.llmops.sglang.plugins.module_utils import rollout


def main():
    module = AnsibleModule(
        argument_spec=dict(records=dict(type="list", elements="dict", required=True),
                           report_dir=dict(type="path", required=True)),
        supports_check_mode=True,
    )
    doc = rollout.report(module.params["records"],
                         time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    folder = module.params["report_dir"]
    path = os.path.join(folder, "rollout.json")
    if module.check_mode:
        module.exit_json(changed=True, path=path, report=doc)
    try:
        os.makedirs(folder, exist_ok=True)
        with open(path, "w") as handle:
            json.dump(doc, handle, indent=1)
            handle.write("\n")
        with open(os.path.join(folder, "rollout.md"), "w") as handle:
            handle.write(rollout.markdown(doc))
    except OSError as error:
        module.fail_json(msg="cannot write the rollout record in %s: %s" % (folder, error))
    module.exit_json(changed=True, path=path, report=doc)


if __name__ == "__main__":
    main()
