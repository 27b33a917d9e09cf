#!/usr/bin/env bash
# tests/e2e/gpu/v523/install.sh, carried as INSTALL.sh by prepare.sh. Test-only setup of SGLang 0.5.23 (torch 2.14.1) on the GPU machine, next to the image's torch 2.11.0.
# Run once /var/tmp/v523/p1 ... /var/tmp/v523/p10 are all present (copied from each call's carry of
# .e2e/v523/pK). Idempotent: a finished step is skipped; a broken/partial one is redone.
#   bash INSTALL.sh            then:  . /var/tmp/v523/env.sh ; python3 -m sglang.launch_server ...
# Layout of the parts (all pieces are `split -b 50M` of two xz-compressed tars, made on the CPU machine):
#   torch214.tar.xz.part00..08  torch-2.14.1+cu130 wheel, unpacked (torch/ functorch/ torchgen/ dist-info)
#   site523.tar.xz.part00..01   `pip install --no-deps --no-compile --target` of the 63 wheels (sglang 0.5.23,
#                               trimmed sglang-kernel 0.4.10, flashinfer-python 0.7.2, transformers 5.19.0, ...)
#   libncclstub.so (+ .c)       11 NCCL 2.30 symbols torch 2.14.1 needs and the image's NCCL 2.28.9 lacks
set -euo pipefail
D=${V523_DIR:-/var/tmp/v523}
S=${V523_SITE:-/var/tmp/site523}
PY=${PYTHON:-python3}

# Gather every part, whatever pK folder it sits in, ordered by name.
parts() { find "$D" -maxdepth 2 -name "$1.part[0-9][0-9]" -type f -printf '%f %p\n' | sort | cut -d' ' -f2-; }

# 1. All pieces present and intact?
SUMS=$(find "$D" -maxdepth 2 -name SHA256SUMS -type f | head -1)
[ -n "$SUMS" ] || { echo "SHA256SUMS not found under $D (it travels in p10)"; exit 1; }
missing=0
while read -r sum name; do
  f=$(find "$D" -maxdepth 2 -name "$name" -type f | head -1)
  if [ -z "$f" ]; then echo "missing: $name"; missing=1; continue; fi
  if [ ! -f "$f.ok" ] || [ "$(cat "$f.ok")" != "$sum" ]; then
    echo "$sum  $f" | sha256sum -c --quiet - || { echo "bad checksum: $f"; exit 1; }
    echo "$sum" > "$f.ok"
  fi
done < "$SUMS"
[ $missing = 0 ] || { echo "some parts are missing; copy all of p1..p10 to $D first"; exit 1; }

# 2. Unpack an archive (xz binary if present, else Python's lzma) into $S; marker = its checksum list.
unpack() {  # $1 = archive base name, $2 = marker file
  local want; want=$(grep " $1.part" "$SUMS" | sha256sum | cut -c1-64)
  if [ -f "$2" ] && [ "$(cat "$2")" = "$want" ]; then echo "$1: already unpacked"; return; fi
  echo "$1: unpacking into $S ..."
  mkdir -p "$S"
  if command -v xz >/dev/null 2>&1; then
    parts "$1" | xargs cat | xz -d -T0 | tar -x -C "$S"
  else
    parts "$1" | xargs cat | "$PY" -c 'import lzma,sys,tarfile; tarfile.open(fileobj=lzma.open(sys.stdin.buffer),mode="r|").extractall(sys.argv[1])' "$S"
  fi
  echo "$want" > "$2"
}
if [ ! -f "$S/.torch214.done" ]; then rm -rf "$S/torch" "$S/functorch" "$S/torchgen" "$S"/torch-2.14.1.dist-info; fi
unpack torch214.tar.xz "$S/.torch214.done"
unpack site523.tar.xz "$S/.site523.done"
# Wheels, if any were carried as plain .whl files too (not used in the shipped layout).
WHEELS=$(find "$D" -maxdepth 2 -name '*.whl' -type f | sort)
if [ -n "$WHEELS" ]; then
  # shellcheck disable=SC2086
  "$PY" -m pip install -q --no-index --no-deps --no-compile --upgrade --target "$S" $WHEELS
fi

# 3. The NCCL stub.
mkdir -p "$D/stub"
STUB_SRC=$(find "$D" -maxdepth 2 -name libncclstub.so -type f -not -path "$D/stub/*" | head -1)
[ -n "$STUB_SRC" ] && cp -f "$STUB_SRC" "$D/stub/libncclstub.so"
[ -f "$D/stub/libncclstub.so" ] || { echo "libncclstub.so not found (it travels in p10)"; exit 1; }

# 4. Environment for every process of the server (sourced; safe to source twice).
cat > "$D/env.sh" <<EOF
# source me:  . $D/env.sh
case ":\${PYTHONPATH:-}:" in *":$S:"*) ;; *) export PYTHONPATH="$S\${PYTHONPATH:+:\$PYTHONPATH}";; esac
case ":\${LD_PRELOAD:-}:" in *":$D/stub/libncclstub.so:"*) ;; *) export LD_PRELOAD="$D/stub/libncclstub.so\${LD_PRELOAD:+:\$LD_PRELOAD}";; esac
export PYTORCH_SKIP_CUDNN_COMPATIBILITY_CHECK=1   # torch 2.14.1 was built with cuDNN 9.24; the image has 9.19
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1   # workplace rule, keep
EOF

# 5. Smoke test.
# shellcheck disable=SC1091
. "$D/env.sh"
"$PY" - <<'EOF'
import importlib.metadata as m, torch, triton, sgl_kernel, flashinfer, sglang, transformers, torchvision
print("torch", torch.__version__, torch.__file__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0))
print("cudnn", torch.backends.cudnn.version(), "nccl", torch.cuda.nccl.version())
print("triton", triton.__version__, "| sgl_kernel", m.version("sglang-kernel"), sgl_kernel.common_ops.__file__)
print("flashinfer", flashinfer.__version__, "| sglang", m.version("sglang"), "| transformers", transformers.__version__,
      "| torchvision", torchvision.__version__)
x = torch.randn(256, 256, device="cuda", dtype=torch.bfloat16); print("matmul ok", float((x @ x).float().abs().sum()) > 0)
EOF
echo "INSTALL OK: . $D/env.sh"
