"""Test-only: rebuild the sglang-kernel wheel without its FA3 kernels, so it fits the GPU machine's
carry limit. Removes sgl_kernel/flash_ops*.so (FA3, 1.1 GB unpacked; loaded only by
sgl_kernel/flash_attn.py, which SGLang reaches from its fa3 attention backend and its vision
attention) and sgl_kernel/sm100/ (Blackwell kernels), and fixes RECORD. The e2e run then uses
--attention-backend triton and a text-only model. Never commit the result. With --unused-too (the
0.5.23 run, tests/e2e/gpu/v523/) also sgl_kernel/flashmla_ops* (DeepSeek's MLA, imported in a
try/except) and sgl_kernel/infllm_ops* (MiniCPM's, imported lazily; a cpython-310 build).

    python tests/e2e/gpu/trim_sgl_kernel.py [--unused-too] IN.whl OUT_DIR
"""

import os
import sys
import zipfile


UNUSED_TOO = "--unused-too" in sys.argv


def dropped(name):
    base = name.split("/", 1)[-1]
    return (name.startswith("sgl_kernel/flash_ops") or base.startswith("flash_ops")
            or name.startswith("sgl_kernel/sm100/")
            or (UNUSED_TOO and name.startswith(("sgl_kernel/flashmla_ops", "sgl_kernel/infllm_ops"))))


def main():
    src, out_dir = [arg for arg in sys.argv[1:] if arg != "--unused-too"]
    os.makedirs(out_dir, exist_ok=True)
    dst = os.path.join(out_dir, os.path.basename(src))
    removed = []
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if dropped(item.filename):
                removed.append(item.filename)
                continue
            data = zin.read(item.filename)
            if item.filename.endswith(".dist-info/RECORD"):
                lines = [line for line in data.decode().splitlines()
                         if not dropped(line.split(",", 1)[0])]
                data = ("\n".join(lines) + "\n").encode()
            zout.writestr(item, data)
    print("removed %d files; %s is %.1f MB" % (len(removed), dst, os.path.getsize(dst) / 1e6))


if __name__ == "__main__":
    main()
