# Run by the staged virtualenv's Python (rollout.yml): does this SGLang's own argument parser take
# the planned arguments? They come as a JSON list on stdin (no secret is among them: the API key is
# in the config file). Exit 0 when they parse; else SGLang's argparse message on stderr, exit 2.
import argparse
import json
import sys

argv = json.load(sys.stdin)
try:
    from sglang.srt.server_args import ServerArgs
except Exception as error:  # noqa: BLE001 - any import failure is the answer
    sys.stderr.write("cannot import SGLang's argument parser: %r\n" % (error,))
    sys.exit(3)
parser = argparse.ArgumentParser(prog="sglang.launch_server", usage="sglang.launch_server [options]")
ServerArgs.add_cli_args(parser)
parser.parse_args(argv)
print("SGLang's parser takes %d arguments" % len(argv))
