# Copyright: (c) 2026, llmops.sglang contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Starts the Shepherd Model Gateway (smg launch) for the sglang-gateway unit, or waits for it.

smg takes its API key only as --api-key, which would put the key in the process arguments
(readable by every user through /proc). This launcher reads the key from a file only the service
can read (root:<gateway group> 0640, like SGLang's own config) and passes it inside Python, and
reads the worker URLs from a file, so that a changed worker list is not a changed unit (the role
registers and removes workers through smg's API without a restart).

    smg_launch.py --workers-file FILE [--key-file FILE] [smg launch options, never --api-key]
    smg_launch.py --wait-live URL SECONDS       (ExecStartPost: started means answering)
"""

import json
import sys
import time
import urllib.error
import urllib.request


def wait_live(url, seconds):
    deadline = time.monotonic() + float(seconds)
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return 0
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            sys.stderr.write("smg_launch: %s did not answer within %s s\n" % (url, seconds))
            return 1
        time.sleep(0.5)


def read_key(path):
    """The key in `path`; a key file that cannot be read or is empty stops the start: a gateway
    started without it would answer anyone."""
    try:
        with open(path) as handle:
            key = handle.read().strip()
    except OSError as error:
        sys.exit("smg_launch: cannot read the API key file %s: %s" % (path, error.strerror))
    if not key:
        sys.exit("smg_launch: the API key file %s is empty" % path)
    return key


def read_workers(path):
    with open(path) as handle:
        workers = json.load(handle)
    if not isinstance(workers, list) or not all(isinstance(w, str) for w in workers):
        sys.exit("smg_launch: %s must hold a JSON list of worker URLs" % path)
    return workers


def main(argv):
    if argv[:1] == ["--wait-live"] and len(argv) == 3:
        return wait_live(argv[1], argv[2])
    if any(a == "--api-key" or a.startswith("--api-key=") for a in argv):
        sys.exit("smg_launch: the API key comes from the unit's key file, never --api-key")
    if argv[:1] != ["--workers-file"] or len(argv) < 2:
        sys.exit(__doc__)
    workers, options = read_workers(argv[1]), argv[2:]
    key = None
    if options[:1] == ["--key-file"] and len(options) >= 2:
        key, options = read_key(options[1]), options[2:]
    from smg.launch_router import launch_router, parse_router_args

    # parsed inside this process: the key never reaches its arguments (/proc/<pid>/cmdline); smg
    # gives it to the workers it starts with while parsing (setting it after would not)
    args = parse_router_args(options + (["--worker-urls"] + workers if workers else [])
                             + (["--api-key=" + key] if key else []))  # a key may begin with '-'
    launch_router(args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
