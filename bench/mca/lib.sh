# bench/mca/lib.sh - sourced by run.sh and ctest.sh: the one place that says which llvm-mca to use.
# shellcheck shell=bash

# Prints the llvm-mca to use: version 16 first (Debian's llvm-16 package), else whichever
# llvm-mca is on PATH. Returns 1 when there is none.
find_llvm_mca() {
  local candidate
  for candidate in llvm-mca-16 /usr/lib/llvm-16/bin/llvm-mca llvm-mca; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}
