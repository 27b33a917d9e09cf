#!/usr/bin/env bash
# On the CPU machine: what tests/e2e/gpu/metrics_0523.py needs carried, under .e2e/v523/ (git-ignored):
#   p1 ... pN   at most 50 MiB each (one device call's carry apiece): the pieces of
#               torch214.tar.xz (the torch 2.14.1 cp312 wheel, unpacked) and site523.tar.xz (the
#               wheels of wheels.txt installed with pip --target --no-deps), cut with split -b 50M;
#               in the last one also libncclstub.so, its source, INSTALL.sh (install.sh) and SHA256SUMS
# Also needs .e2e/tiny-llama4.tgz (tests/e2e/gpu/prepare.sh), carried by the run call.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
cd "$ROOT"
HERE=tests/e2e/gpu/v523
OUT=.e2e/v523
WORK=${V523_WORK:-/var/tmp/v523-build}
WH=$WORK/wheels
rm -rf "$OUT" "$WORK/site523" "$WORK/torch214" "$WORK/pieces" && mkdir -p "$OUT" "$WH" "$WORK/pieces"

# shellcheck source=tests/e2e/gpu/wheelhouse.sh
. tests/e2e/gpu/wheelhouse.sh
grep -v '^#' "$HERE/wheels.txt" | while read -r req; do
  [ -n "$req" ] && pip_download -d "$WH" "$req"
done
pip_download -d "$WORK" torch==2.14.1
mkdir -p "$WORK/trimmed"
python3 tests/e2e/gpu/trim_sgl_kernel.py --unused-too "$WH"/sglang_kernel-0.4.10-*.whl "$WORK/trimmed"

# the wheels installed as the machine's pip would, for its Python 3.12
wheels=("$WORK"/trimmed/*.whl)
for wheel in "$WH"/*.whl; do
  case "$wheel" in */sglang_kernel-*) ;; *) wheels+=("$wheel") ;; esac
done
# shellcheck disable=SC2086
python3 -m pip install -q --no-index --no-deps --no-compile --target "$WORK/site523" \
  --python-version 3.12 --implementation cp --only-binary=:all: $PLATFORMS "${wheels[@]}"
mkdir -p "$WORK/torch214" && python3 -m zipfile -e "$WORK"/torch-2.14.1-cp312-*.whl "$WORK/torch214"
tar -C "$WORK/torch214" -cf - . | xz -T0 -6 > "$WORK/torch214.tar.xz"
tar -C "$WORK/site523" -cf - . | xz -T0 -6 > "$WORK/site523.tar.xz"
(cd "$WORK/pieces" && split -b 50M -d "$WORK/torch214.tar.xz" torch214.tar.xz.part \
  && split -b 50M -d "$WORK/site523.tar.xz" site523.tar.xz.part)
gcc -shared -fPIC -O2 -o "$WORK/pieces/libncclstub.so" "$HERE/ncclstub.c"
cp "$HERE/ncclstub.c" "$WORK/pieces/"
cp "$HERE/install.sh" "$WORK/pieces/INSTALL.sh"
(cd "$WORK/pieces" && sha256sum ./*.part* | sed 's# \./# #' > SHA256SUMS)

# first fit, largest first, into folders of at most 50 MiB
python3 - "$WORK/pieces" "$OUT" <<'PY'
import os, shutil, sys
src, out = sys.argv[1], sys.argv[2]
files = sorted((os.path.join(src, f) for f in os.listdir(src)), key=os.path.getsize, reverse=True)
bins = []
for path in files:
    for b in bins:
        if b[0] + os.path.getsize(path) <= 50 * 2**20:
            b[0] += os.path.getsize(path); b[1].append(path); break
    else:
        bins.append([os.path.getsize(path), [path]])
for number, (size, paths) in enumerate(bins, 1):
    folder = os.path.join(out, "p%d" % number); os.makedirs(folder)
    for path in paths:
        shutil.copy(path, folder)
    print("p%d: %s (%.1f MiB)" % (number, " ".join(sorted(os.path.basename(p) for p in paths)), size / 2**20))
PY
