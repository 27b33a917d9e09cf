"""TEST DOUBLE of the `sglang` package (tests only; see tests/doubles/README.md).

Installed into the instance's virtualenv in place of SGLang where no GPU exists. It takes
`python -m sglang.launch_server` with SGLang's arguments (and `--config FILE.yaml`, merged as
SGLang's ConfigArgumentMerger does), records them, and serves SGLang's HTTP API shapes.
"""

__version__ = "0.5.23+double"
IS_TEST_DOUBLE = True
