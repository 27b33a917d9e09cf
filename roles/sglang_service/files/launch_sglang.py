"""ExecStart of the SGLang unit (llmops.sglang): `python -m sglang.launch_server`, with the API key
masked in this process's log records.

SGLang logs its whole server arguments when it starts (`server_args=...`), the API key among
them (seen with 0.5.17 and 0.5.23 on a real H100); under systemd that line would put the key in
the journal. This reads the key from the --config file the service role writes, installs a log
record factory that replaces it (it survives SGLang's own logging set-up, which replaces the
handlers), then runs sglang.launch_server as `python -m` would, with the same arguments."""

import json
import logging
import runpy
import sys

MASK = "<redacted>"


def api_key_from_config(argv):
    """The api-key value of the --config YAML file (a flat mapping), or None."""
    if "--config" not in argv or argv.index("--config") + 1 >= len(argv):
        return None
    with open(argv[argv.index("--config") + 1]) as handle:
        text = handle.read()
    try:
        import yaml
        data = yaml.safe_load(text) or {}
    except ImportError:  # SGLang needs PyYAML for --config, so this is a fallback only
        data = {}
        for line in text.splitlines():
            key, _sep, value = line.partition(":")
            data[key.strip()] = value.strip().strip("'\"")
    key = data.get("api-key") or data.get("api_key")
    return str(key) if key else None


def mask_in_log_records(secret):
    # the key as written, and as repr() or JSON would escape it inside a dump of the arguments
    forms = sorted({secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]}, key=len, reverse=True)
    make_record = logging.getLogRecordFactory()

    def hide(text):
        for form in forms:
            text = text.replace(form, MASK)
        return text

    def masked(*args, **kwargs):
        record = make_record(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = hide(record.msg)
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(hide(a) if isinstance(a, str) else a for a in record.args)
        return record

    logging.setLogRecordFactory(masked)


def main():
    secret = api_key_from_config(sys.argv[1:])
    if secret:
        mask_in_log_records(secret)
    runpy.run_module("sglang.launch_server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
