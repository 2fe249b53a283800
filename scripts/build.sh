#!/usr/bin/env bash
# Installs the dependencies and builds cifarbench (Release) into ./build. Warnings are fatal when
# CI is set, as in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
werror=OFF
[ -n "${CI:-}" ] && werror=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCB_WERROR=$werror >/dev/null
cmake --build build -j"$(nproc)"
