"""TEST DOUBLE of `sglang.srt.server_args` (tests only): `ServerArgs.add_cli_args(parser)` adds
the options of SGLang 0.5.23's own parser, read from server_args_options.json (made from the PyPI
wheel's ServerArgs.add_cli_args: each --option, whether it takes a value, a list or none, and its
choices), so that `parser.parse_args(argv)` refuses what SGLang's parser refuses: an unknown
option, a missing value, a value outside the choices. Types and defaults are not copied."""

import json
import os

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "server_args_options.json")) as _handle:
    OPTIONS = json.load(_handle)["options"]


class ServerArgs:
    @staticmethod
    def add_cli_args(parser):
        for name, spec in sorted(OPTIONS.items()):
            if spec["kind"] == "flag":
                parser.add_argument("--" + name, action="store_true")
            elif spec["kind"] == "list":
                parser.add_argument("--" + name, nargs="*", choices=spec["choices"])
            else:
                parser.add_argument("--" + name, choices=spec["choices"])
