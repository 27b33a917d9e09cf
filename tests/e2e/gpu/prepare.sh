#!/usr/bin/env bash
# On the CPU machine: everything the real-GPU run needs, under .e2e/ (git-ignored):
#   .e2e/tiny-llama4.tgz   the tiny Llama-4-architecture checkpoint (make_tiny_model.py)
#   .e2e/part1 ... partN   the wheelhouse (tests/e2e/gpu/wheels.txt, sglang-kernel trimmed), in
#                          parts under the device tool's 64 MiB carry limit
# Needs scripts/setup-sglang-parser (its venv has torch and transformers for the model).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
E=.e2e; WH=${E2E_WHEEL_CACHE:-/var/tmp/e2e-wh}
mkdir -p "$E" "$WH"
grep -qxF '/.e2e/' .git/info/exclude 2>/dev/null || echo '/.e2e/' >> .git/info/exclude

PY=.cache/sglang-parser/venv/bin/python
rm -rf "$E/tiny-llama4" && "$PY" tests/e2e/gpu/make_tiny_model.py "$E/tiny-llama4"
tar -C "$E" -czf "$E/tiny-llama4.tgz" tiny-llama4 && rm -rf "$E/tiny-llama4"

# shellcheck source=tests/e2e/gpu/wheelhouse.sh
. tests/e2e/gpu/wheelhouse.sh
download_wheels "$WH"
rm -rf "$E"/part* "$E/trimmed" && mkdir -p "$E/trimmed"
python3 tests/e2e/gpu/trim_sgl_kernel.py "$WH"/sglang_kernel-0.4.5-*.whl "$E/trimmed"
# pack into parts of at most 50 MiB, largest first
python3 - "$WH" "$E" <<'PY'
import glob, os, shutil, sys
wh, e = sys.argv[1], sys.argv[2]
files = [f for f in glob.glob(os.path.join(wh, "*.whl")) if "sglang_kernel" not in os.path.basename(f)]
files += glob.glob(os.path.join(e, "trimmed", "*.whl"))
files.sort(key=os.path.getsize, reverse=True)
limit, parts = 50 * 2**20, []
for f in files:
    for part in parts:
        if part[0] + os.path.getsize(f) <= limit:
            part[0] += os.path.getsize(f); part[1].append(f); break
    else:
        parts.append([os.path.getsize(f), [f]])
for i, (size, fs) in enumerate(parts, 1):
    d = os.path.join(e, "part%d" % i); os.makedirs(d, exist_ok=True)
    for f in fs: shutil.copy(f, d)
    print("part%d: %d wheels, %.1f MiB" % (i, len(fs), size / 2**20))
PY
# the report's plots on the GPU machine's controller Python (3.12): matplotlib and what it needs
# beyond the image's numpy and pillow, installed next to ansible-core
rm -rf "$E/report" && mkdir -p "$E/report"
download_report_wheels "$E/report"
ls -la "$E"
