# shellcheck shell=bash
# Sourced by prepare.sh and prepare_calibration.sh: wheels for the GPU machine's Python 3.12
# (x86_64), no dependencies resolved here (wheels.txt lists them all).
#   download_wheels DIR                 every line of tests/e2e/gpu/wheels.txt into DIR
#   download_report_wheels DIR          matplotlib and what it needs, for the bench report
PLATFORMS=""
for p in manylinux_2_35_x86_64 manylinux_2_34_x86_64 manylinux_2_31_x86_64 manylinux_2_28_x86_64 \
         manylinux_2_27_x86_64 manylinux_2_24_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
  PLATFORMS="$PLATFORMS --platform $p"
done

pip_download() {
  # shellcheck disable=SC2086
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    $PLATFORMS "$@" > /dev/null
}

download_wheels() {
  grep -v '^#' tests/e2e/gpu/wheels.txt | while read -r req; do
    [ -n "$req" ] || continue
    pip_download -d "$1" "$req"
  done
}

download_report_wheels() {
  pip_download -d "$1" matplotlib==3.10.8 contourpy==1.3.3 cycler==0.12.1 fonttools==4.68.0 \
    kiwisolver==1.5.1 pyparsing==3.3.3 python-dateutil==4.0.0 tzdata==2026.6
}
