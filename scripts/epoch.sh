#!/usr/bin/env bash
# The README's main command: installs the dependencies, builds, trains the reference network for
# one full CIFAR-10 epoch with the best kernels this CPU has on every core, and turns the result
# into a report: out/epoch.json, out/report/report.md and out/report/report.html.
# Extra arguments go to 'cifarbench train' (e.g. --isa scalar, --data DIR, --epochs 3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
mkdir -p out
build/harness/cifarbench train --json out/epoch.json "$@"
build/harness/cifarbench report out/epoch.json --out out/report
echo "open out/report/report.html in a browser (or read out/report/report.md)"
