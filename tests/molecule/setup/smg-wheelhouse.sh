#!/usr/bin/env bash
# Tests only: an offline wheelhouse of the Shepherd Model Gateway (`smg`, PyPI) and every one of
# its dependencies, as binary wheels for the gateway scenario's instances: CPython 3.11 (Debian 12's
# python3) and 3.13 (Debian 13's), manylinux x86_64. The instances install from it with
# `pip install --no-index --find-links DIR smg==VERSION` (tests/molecule/gateway/molecule.yml).
#   smg-wheelhouse.sh [DIR]      DIR: default <repo>/.cache/smg-wheelhouse
# Idempotent: a Python whose whole set DIR already holds (smg's wheel, and smg resolves from DIR
# with no index) is not fetched again. Prints, for each Python, the wheels its set is made of.
# Env: SMG_VERSION (1.13.0), SMG_WHEELHOUSE_PYTHONS ("3.11 3.13"), PYTHON (python3; runs pip,
# through this machine's pip configuration: index, certificates).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
DIR=${1:-$ROOT/.cache/smg-wheelhouse}
VERSION=${SMG_VERSION:-1.13.0}
PYTHONS=${SMG_WHEELHOUSE_PYTHONS:-"3.11 3.13"}
PY=${PYTHON:-python3}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

# pip: this Python's, else a throwaway virtualenv's (Debian's python3 comes without pip)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PIP=("$PY" -m pip)
if ! "${PIP[@]}" --version >/dev/null 2>&1; then
  "$PY" -m venv "$TMP/venv"
  PIP=("$TMP/venv/bin/python" -m pip)
fi

# download <python version> [pip options]: smg and its dependencies for that CPython into DIR.
# manylinux2014 is manylinux_2_17 (glibc 2.17); pip widens it to manylinux2010 and manylinux1.
download() {
  local version=$1
  shift
  "${PIP[@]}" download --disable-pip-version-check --only-binary=:all: \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
    --implementation cp --python-version "$version" --abi "cp${version/./}" \
    --dest "$DIR" "$@" "smg==$VERSION"
}

# offline <python version>: resolve from DIR alone, as an instance does (no pip configuration,
# no PIP_* variables: this machine's own find-links stay out); prints the set's wheel files
offline() {
  (
    for name in $(compgen -e); do [[ $name == PIP_* ]] && unset "$name"; done
    export PIP_CONFIG_FILE=/dev/null
    download "$1" --no-index --find-links "$DIR"
  ) > "$TMP/offline.log" 2>&1 || return 1
  sed -n 's#^ *File was already downloaded .*/\([^/]*\.whl\)$#\1#p' "$TMP/offline.log" | sort
}

for version in $PYTHONS; do
  if compgen -G "$DIR/smg-$VERSION-*.whl" >/dev/null && offline "$version" > "$TMP/set"; then
    echo "smg-wheelhouse: CPython $version: complete in $DIR already"
  else
    echo "smg-wheelhouse: CPython $version: fetching smg==$VERSION and its dependencies"
    download "$version" -q
    offline "$version" > "$TMP/set" || {
      cat "$TMP/offline.log" >&2
      echo "smg-wheelhouse: CPython $version: smg does not resolve from $DIR alone" >&2
      exit 1
    }
  fi
  echo "smg-wheelhouse: CPython $version: $(wc -l < "$TMP/set") wheels:"
  sed 's/^/  /' "$TMP/set"
done
