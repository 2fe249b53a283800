#!/usr/bin/env bash
# Installs what cifarbench needs to build and test, from Debian/Ubuntu packages (sudo when not root).
# Does nothing when everything is already there. The optional packages are the fuzzing ones (clang
# and its libFuzzer runtime) and llvm-16 (llvm-mca, for bench/mca): when they cannot be installed,
# scripts/fuzz.sh and bench/mca/ctest.sh say so and skip.
set -euo pipefail

packages=(cmake make gcc g++ git pkg-config libhwloc-dev libcmocka-dev libbenchmark-dev
          libbenchmark-tools libjansson-dev libsqlite3-dev libopenmpi-dev openmpi-bin)
optional=(clang libclang-rt-dev llvm-16)

missing_of() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}
mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_optional < <(missing_of "${optional[@]}")
[ ${#missing[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]} ${missing_optional[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ${#missing_optional[@]} -gt 0 ]; then
  echo "install-deps: installing (optional, for fuzzing and bench/mca) ${missing_optional[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing_optional[@]}" >/dev/null || echo "install-deps: optional packages not installed; fuzzing and the llvm-mca model will be skipped" >&2
fi
