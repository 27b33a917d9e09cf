# -*- coding: utf-8 -*-
# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An action plugin's arguments checked against its module's documentation (controller only).

The module's DOCUMENTATION is the one list of an action's options: an unknown name (a misspelling)
fails the task naming it and every allowed option, instead of being ignored; then a missing,
mistyped or out-of-choices value fails it as a module's own AnsibleModule would
(ActionBase.validate_argument_spec).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import difflib
import functools

import yaml
from ansible.errors import AnsibleActionFail

# what an option in DOCUMENTATION may say that an argument spec understands
SPEC_KEYS = ("type", "required", "default", "elements", "choices")


@functools.cache
def _documented_options(documentation):
    return yaml.safe_load(documentation).get("options") or {}


def argument_spec(documentation):
    """The argument spec of a module's DOCUMENTATION."""
    # a copy: the cached documentation's list and dict defaults must not be shared between tasks
    return {name: copy.deepcopy({key: option[key] for key in SPEC_KEYS if key in option})
            for name, option in _documented_options(documentation).items()}


def unknown_args_error(action_name, given, allowed):
    """Why these argument names are not allowed, or None: each unknown one, with the closest
    allowed name when there is one, and every allowed name."""
    unknown = sorted(set(given) - set(allowed))
    if not unknown:
        return None
    named = []
    for name in unknown:
        close = difflib.get_close_matches(name, allowed, n=1)
        named.append("%s (did you mean %s?)" % (name, close[0]) if close else name)
    return "%s: unknown argument%s %s; the arguments are %s" % (
        action_name, "s" if len(unknown) > 1 else "", ", ".join(named), ", ".join(sorted(allowed)))


def checked_args(action, documentation, names_only=False):
    """The task's arguments, checked; fails the task (AnsibleActionFail) on an unknown, missing or
    mistyped one. Returns them with defaults filled and types applied; with names_only, only the
    names are checked and the arguments are returned as given (for plugins that check values
    themselves)."""
    given = dict(action._task.args)
    error = unknown_args_error(action._task.action, given, _documented_options(documentation))
    if error:
        raise AnsibleActionFail(error)
    if names_only:
        return given
    return action.validate_argument_spec(argument_spec=argument_spec(documentation))[1]
