"""Build the SGLang server TEST DOUBLE (tests/doubles/sglang_server) as a wheel, with the
standard library only: OUT_DIR/sglang-0.5.23+double-py3-none-any.whl (version from the package).

    python tests/doubles/build_sglang_double_wheel.py OUT_DIR
"""

import base64
import hashlib
import io
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "sglang_server")


def main():
    out = sys.argv[1]
    with open(os.path.join(SRC, "sglang", "__init__.py")) as handle:
        version = re.search(r'__version__ = "([^"]+)"', handle.read()).group(1)
    dist = "sglang-%s.dist-info" % version
    files = {}
    for folder, _dirs, names in sorted(os.walk(os.path.join(SRC, "sglang"))):
        for name in sorted(names):
            if name.endswith((".py", ".json")):
                path = os.path.join(folder, name)
                with open(path, "rb") as handle:
                    files[os.path.relpath(path, SRC).replace(os.sep, "/")] = handle.read()
    files[dist + "/METADATA"] = ("Metadata-Version: 2.1\nName: sglang\nVersion: %s\n"
                                 "Summary: TEST DOUBLE of SGLang's server (llmops.sglang tests)\n"
                                 % version).encode()
    files[dist + "/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: llmops-double\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append(dist + "/RECORD,,")
    files[dist + "/RECORD"] = ("\n".join(record) + "\n").encode()
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "sglang-%s-py3-none-any.whl" % version)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            wheel.writestr(info, data)
    if os.path.exists(path):
        with open(path, "rb") as handle:
            if handle.read() == buffer.getvalue():
                print("unchanged " + path)
                return 0
    with open(path, "wb") as handle:
        handle.write(buffer.getvalue())
    print("built " + path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
