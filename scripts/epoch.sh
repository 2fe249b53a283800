#!/usr/bin/env bash
# The README's main command: installs the dependencies, builds, and trains the reference network
# for one full CIFAR-10 epoch with the best kernels this CPU has, writing results to out/.
# Extra arguments go to 'cifarbench train' (e.g. --isa scalar, --data DIR, --epochs 3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
mkdir -p out
build/harness/cifarbench train --json out/epoch.json "$@"
