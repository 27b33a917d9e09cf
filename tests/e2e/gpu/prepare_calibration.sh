#!/usr/bin/env bash
# On the CPU machine: everything the calibration cases need on the GPU machine, under .e2e/
# (git-ignored), in parts under the device tool's 64 MiB carry limit:
#   .e2e/cal1 ... calN   the wheelhouse of wheels.txt with the FULL sglang-kernel: the wheel
#                        without sgl_kernel/flash_ops.abi3.so (FA3, 1.1 GB) plus that library
#                        compressed with zstd --long and cut in pieces; calibrate.py rebuilds the
#                        wheel there and checks every member against the wheel's RECORD.
#                        manifest.json (in every part) names the pieces.
#   .e2e/models.tgz      real-dimension Scout and Maverick folders (make_real_dims.py)
#   .e2e/report/         matplotlib for the bench report on the GPU machine's controller
# Needs scripts/setup-sglang-parser (its venv has tokenizers for the tokenizer). Takes ~10 min
# the first time (zstd -19 on 1.1 GB); later runs reuse .e2e/flash_ops.zst.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
E=.e2e; WH=${E2E_WHEEL_CACHE:-/var/tmp/e2e-wh}
mkdir -p "$E" "$WH"
grep -qxF '/.e2e/' .git/info/exclude 2>/dev/null || echo '/.e2e/' >> .git/info/exclude

PY=.cache/sglang-parser/venv/bin/python
rm -rf "$E/models" && "$PY" tests/e2e/gpu/make_real_dims.py "$E/models"
tar -C "$E" -czf "$E/models.tgz" models && rm -rf "$E/models"

# shellcheck source=tests/e2e/gpu/wheelhouse.sh
. tests/e2e/gpu/wheelhouse.sh
download_wheels "$WH"

python3 - "$WH" "$E" <<'PY'
import glob, hashlib, json, os, shutil, subprocess, sys, zipfile
wh, e = sys.argv[1], sys.argv[2]
kernel = glob.glob(os.path.join(wh, "sglang_kernel-*.whl"))[0]
member = "sgl_kernel/flash_ops.abi3.so"
stage = os.path.join(e, "stage"); shutil.rmtree(stage, ignore_errors=True); os.makedirs(stage)
trimmed = os.path.join(stage, "trimmed-" + os.path.basename(kernel))
with zipfile.ZipFile(kernel) as zin, zipfile.ZipFile(trimmed, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        if item.filename != member:
            zout.writestr(item, zin.read(item.filename))
    zst = os.path.join(e, "flash_ops.zst")
    if not os.path.exists(zst):
        lib = os.path.join(e, "flash_ops.abi3.so")
        with open(lib, "wb") as out:
            out.write(zin.read(member))
        subprocess.check_call(["zstd", "-19", "-T2", "--long=27", "-q", "-f", lib, "-o", zst])
        os.remove(lib)
piece_size = 45 * 2**20
pieces = []
with open(zst, "rb") as handle:
    while True:
        data = handle.read(piece_size)
        if not data:
            break
        name = "flash_ops.zst.%02d" % len(pieces)
        with open(os.path.join(stage, name), "wb") as out:
            out.write(data)
        pieces.append(name)
manifest = {"kernel_wheel": os.path.basename(kernel), "trimmed_wheel_file": os.path.basename(trimmed),
            "flash_member": member, "flash_pieces": pieces}
files = [f for f in glob.glob(os.path.join(wh, "*.whl")) if f != kernel]
files += [os.path.join(stage, p) for p in pieces] + [trimmed]
files.sort(key=os.path.getsize, reverse=True)
limit, parts = 56 * 2**20, []
for f in files:
    for part in parts:
        if part[0] + os.path.getsize(f) <= limit:
            part[0] += os.path.getsize(f); part[1].append(f); break
    else:
        parts.append([os.path.getsize(f), [f]])
for old in glob.glob(os.path.join(e, "cal*")):
    shutil.rmtree(old)
for i, (size, fs) in enumerate(parts, 1):
    d = os.path.join(e, "cal%d" % i); os.makedirs(d)
    for f in fs:
        shutil.copy(f, d)
    with open(os.path.join(d, "manifest.json"), "w") as out:
        json.dump(manifest, out, indent=1)
    print("cal%d: %d files, %.1f MiB" % (i, len(fs), size / 2**20))
shutil.rmtree(stage)
PY
rm -rf "$E/report" && mkdir -p "$E/report"
download_report_wheels "$E/report"
du -sh "$E"/cal* "$E/report" "$E/models.tgz"
