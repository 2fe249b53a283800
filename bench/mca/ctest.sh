#!/usr/bin/env bash
# bench/mca/ctest.sh - the CTest face of run.sh: models the kernels' hot loops when llvm-mca is
# installed, and says CB_SKIP (CTest's SKIP_REGULAR_EXPRESSION) when it is not.
#
#   bench/mca/ctest.sh [--out FILE.md] [--goal CPU:ISA:PCT]... [--require CPU:ISA:PCT]...
#
#   --out FILE.md          keep run.sh's Markdown report
#   --goal CPU:ISA:PCT     report whether every ISA region reaches PCT % of CPU's peak (the table's
#                          "% peak" column: the core's FP32 FMA peak, znver4 as corrected)
#   --require CPU:ISA:PCT  the same, and fail when one does not
#
# Exit status: run.sh's when it fails (a missing region, a compiler error), else 1 when a
# --require goal is missed, else 0.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=bench/mca/lib.sh
source "$ROOT/bench/mca/lib.sh"

# The header comment above, as help.
usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}

# Sets RUN_ARGS (passed to run.sh) and GOALS ("report|CPU:ISA:PCT" or "require|CPU:ISA:PCT").
parse_args() {
  RUN_ARGS=() GOALS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --out) RUN_ARGS+=(--out "${2:?--out needs a file}"); shift 2 ;;
      --goal) check_spec "${2:-}"; GOALS+=("report|$2"); shift 2 ;;
      --require) check_spec "${2:-}"; GOALS+=("require|$2"); shift 2 ;;
      -h | --help) usage; exit 0 ;;
      *) echo "ctest.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
  done
}

# Stops when the argument is not a CPU:ISA:PCT goal.
check_spec() {
  [[ $1 =~ ^[a-z0-9-]+:[a-z0-9]+:[0-9]+([.][0-9]+)?$ ]] ||
    { echo "ctest.sh: a goal is CPU:ISA:PCT, e.g. sapphirerapids:avx512:85, not '$1'" >&2; exit 2; }
}

# Prints one line per region of the goal's ISA on its CPU and returns 1 when one falls short of it
# (or when run.sh modelled no such region: a misspelt CPU or ISA is no goal met).
check_goal() {
  local tsv=$1 spec=$2 cpu isa pct
  IFS=: read -r cpu isa pct <<<"$spec"
  awk -F'\t' -v cpu="$cpu" -v isa="$isa" -v pct="$pct" -v spec="$spec" '
    $2 == isa && $3 == cpu {
      n++; ok = $6 + 0 >= pct + 0; if (!ok) short++
      printf "goal %s: %-28s %5.1f%% of peak  %s\n", spec, $1, $6, ok ? "met" : "MISSED"
    }
    END {
      if (!n) { printf "goal %s: no %s region modelled on %s\n", spec, isa, cpu; exit 1 }
      exit short > 0
    }' "$tsv"
}

main() {
  local mca tsv goal missed=0
  parse_args "$@"
  if ! mca=$(find_llvm_mca); then
    echo "CB_SKIP: llvm-mca not installed (apt-get install llvm-16)"
    exit 0
  fi
  tsv=$(mktemp "${TMPDIR:-/tmp}/cb-mca-ctest.XXXXXX")
  trap 'rm -f "$tsv"' EXIT
  "$ROOT/bench/mca/run.sh" --llvm-mca "$mca" --tsv "$tsv" "${RUN_ARGS[@]}"
  echo
  for goal in "${GOALS[@]}"; do
    if ! check_goal "$tsv" "${goal#*|}" && [ "${goal%%|*}" = require ]; then
      missed=1
    fi
  done
  exit "$missed"
}

main "$@"
