#!/bin/bash
# mpi_cli.sh - data-parallel training over MPI ranks (harness/dist.h), end to end under mpirun.
#
#   mpi_cli.sh CIFARBENCH MPIEXEC WORK CASE
#
# MPIEXEC is CMake's MPIEXEC_EXECUTABLE, empty when the build has no MPI: the case then prints
# CB_SKIP and passes as skipped. Every run is small (256 images, generated-or-installed data) and
# oversubscribed on purpose (--oversubscribe: 4 ranks on any machine), so no timing is judged.
# Cases:
#   replicas      2 ranks, --check-replicas: the weights' checksum compared after every step; the
#                 JSON records ranks, every rank's thread PUs, the exchange's seconds and bytes
#   reproducible  the final checksum of 1 process without mpirun, and of 1, 2 and 4 ranks (and 2
#                 ranks x 2 threads) at the same global batch, is one value; 2 ranks twice agree
#   bind          2 ranks under mpirun --bind-to core, each pinning its thread (--bind core): each
#                 thread runs on its own rank's core, so the two rank bindings read back differ
#                 and are recorded (needs 2 cores: skipped below that)
#   uneven        a batch of 5 over 4 ranks (shares 1,1,1,2) and an epoch whose last batch is
#                 smaller than the ranks: the checksum of one process
#   allreduce     --exchange allreduce: 2 ranks repeat their checksum run to run, and train to the
#                 one-process loss within 1e-3 (the bits differ: the sum's order depends on R)
#   fail_option   a bad option: exit 2, the message once (not once per rank)
#   fail_data     bad data on rank 1 only: exit 1, rank 1's message, no result file
#   fail_batch    a batch smaller than the ranks: exit 2 with the reason
#   fail_command  a command other than train and scale under mpirun: exit 2
#   fail_crowded  more ranks x threads than this machine's PUs without --oversubscribe: exit 2;
#                 with it, the run's JSON says oversubscribed
set -u
B=$1 MPIEXEC=$2 WORK=$3 CASE=$4
if [ -z "$MPIEXEC" ]; then
  echo "CB_SKIP: this build has no MPI (install libopenmpi-dev and openmpi-bin, then rebuild)"
  exit 0
fi
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
# Under ASan (scripts/sanitize.sh): no leak check in these runs. Open MPI, and the plugins it
# and hwloc dlopen and close again, keep allocations past MPI_Finalize that LeakSanitizer can only
# see as "<unknown module>" (no suppression can name them). Address and UB errors still abort, and
# the rest of the suite checks leaks of the same code without MPI.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# Open MPI refuses root without these (CI containers run as root); harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# --oversubscribe: ranks x threads may exceed the PUs here (the timings are not judged)
small=(--images 256 --test-images 64 --threads 1 --bind none --oversubscribe)
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run NP ARGS...: cifarbench under mpirun with NP ranks; stdout+stderr in out.NP, the exit code in rc.
run() {
  local np=$1
  shift
  "$MPIEXEC" --oversubscribe -np "$np" "$B" "$@" > "out.$np" 2>&1
  rc=$?
}

# checksum FILE: the "weights  checksum" of a train output.
checksum() { sed -n 's/^  weights  checksum \([0-9a-f]*\).*/\1/p' "$1"; }

# count FILE PATTERN: how many lines of the output match.
count() { grep -c -- "$2" "$1"; }

case $CASE in
replicas)
  run 2 train "${small[@]}" --check-replicas --json r.json
  [ "$rc" -eq 0 ] || fail "exit $rc"
  grep -q "the same on all 2 ranks (compared after every step)" out.2 || fail "no replica line"
  grep -q "ranks    2 MPI ranks x 1 thread" out.2 || fail "no ranks line"
  python3 - r.json <<'EOF' || fail "JSON"
import json, sys
d = json.load(open(sys.argv[1]))
c, e = d["context"], d["epochs"][0]
assert c["ranks"] == 2 and len(c["rank_thread_pus"]) == 2, c
assert e["comm_bytes_per_step"] > 0 and e["comm_seconds"] > 0, e
assert len(e["weights_checksum"]) == 16, e
assert d["summary"]["images_per_s_per_rank"] > 0
EOF
  ;;
reproducible)
  "$B" train "${small[@]}" > out.plain 2>&1 || fail "one process: exit $?"
  want=$(checksum out.plain)
  [ -n "$want" ] || fail "no checksum in the one-process output"
  for np in 1 2 4; do
    run "$np" train "${small[@]}"
    [ "$rc" -eq 0 ] || fail "$np ranks: exit $rc"
    [ "$(checksum "out.$np")" = "$want" ] || fail "$np ranks: checksum $(checksum "out.$np"), one process $want"
  done
  run 2 train "${small[@]}" && again=$(checksum out.2)
  [ "$again" = "$want" ] || fail "2 ranks, second run: $again"
  run 2 train "${small[@]}" --threads 2
  [ "$rc" -eq 0 ] && [ "$(checksum out.2)" = "$want" ] || fail "2 ranks x 2 threads: exit $rc, $(checksum out.2)"
  ;;
bind)
  if [ "$(nproc)" -lt 2 ]; then
    echo "CB_SKIP: one PU: 2 ranks cannot get a core each"
    exit 0
  fi
  "$MPIEXEC" -np 2 --bind-to core "$B" train --images 64 --test-images 32 --threads 1 --bind core \
    --json r.json > out.2 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || fail "exit $rc"
  python3 - r.json <<'EOF' || fail "bindings"
import json, sys
b = json.load(open(sys.argv[1]))["context"]["rank_thread_pus"]
assert len(b) == 2 and b[0] != b[1] and "unknown" not in b, b
EOF
  ;;
uneven)
  "$B" train "${small[@]}" --images 253 --batch 5 > out.plain 2>&1 || fail "one process: exit $?"
  want=$(checksum out.plain)
  run 4 train "${small[@]}" --images 253 --batch 5 # 50 batches of 5, then one of 3 < 4 ranks
  [ "$rc" -eq 0 ] || fail "exit $rc"
  [ "$(checksum out.4)" = "$want" ] || fail "4 ranks: $(checksum out.4), one process $want"
  ;;
allreduce)
  "$B" train "${small[@]}" > out.plain 2>&1 || fail "one process: exit $?"
  run 2 train "${small[@]}" --exchange allreduce --check-replicas
  [ "$rc" -eq 0 ] || fail "exit $rc"
  first=$(checksum out.2)
  grep -q "exchange allreduce:" out.2 || fail "no exchange line"
  loss() { awk '$1 == "1" && NF == 9 { print $6 }' "$1"; }
  awk -v a="$(loss out.plain)" -v b="$(loss out.2)" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-3 && d > -1e-3) }' ||
    fail "train loss $(loss out.2) against one process's $(loss out.plain)"
  run 2 train "${small[@]}" --exchange allreduce
  [ "$(checksum out.2)" = "$first" ] || fail "second run: $(checksum out.2), first $first"
  ;;
fail_option)
  run 2 train --frobnicate
  [ "$rc" -eq 2 ] || fail "exit $rc, want 2"
  [ "$(count out.2 "unknown option '--frobnicate'")" -eq 1 ] || fail "the message is not there once"
  ;;
fail_data)
  "$MPIEXEC" --oversubscribe -np 2 sh -c '
    if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then set -- --data "$PWD/no-such-dir"; else set --; fi
    exec "$0" train --images 64 --test-images 32 --threads 1 --bind none --json "$PWD/r.json" "$@"' \
    "$B" > out.2 2>&1
  rc=$?
  [ "$rc" -eq 1 ] || fail "exit $rc, want 1"
  grep -q "^rank 1 of 2: cifarbench train: cannot use the CIFAR-10 data in .*no-such-dir" out.2 ||
    fail "no message from rank 1"
  [ "$(count out.2 "no-such-dir")" -eq 1 ] || fail "the message is not there once"
  [ ! -e r.json ] || fail "a result file was left"
  ;;
fail_batch)
  run 4 train "${small[@]}" --batch 3
  [ "$rc" -eq 2 ] || fail "exit $rc, want 2"
  [ "$(count out.4 "batch needs at least one image per rank")" -eq 1 ] || fail "no reason, or not once"
  ;;
fail_command)
  run 2 report x.json --out rep
  [ "$rc" -eq 2 ] || fail "exit $rc, want 2"
  [ "$(count out.2 "under mpirun only train and scale run")" -eq 1 ] || fail "no reason, or not once"
  ;;
fail_crowded)
  np=$(($(nproc) + 1))
  run "$np" train --images 64 --test-images 32 --threads 1 --bind none
  [ "$rc" -eq 2 ] || fail "$np ranks on $(nproc) PUs: exit $rc, want 2"
  [ "$(count "out.$np" "MPI ranks on this machine x --threads 1")" -eq 1 ] || fail "no reason, or not once"
  run "$np" train --images 64 --test-images 32 --threads 1 --bind none --oversubscribe --json r.json
  [ "$rc" -eq 0 ] || fail "with --oversubscribe: exit $rc"
  grep -q "WARNING  oversubscribed: 1 threads x $np ranks on this machine" "out.$np" || fail "no warning"
  python3 -c "import json, sys; sys.exit(0 if json.load(open('r.json'))['context'].get('oversubscribed') else 1)" ||
    fail "the JSON does not say oversubscribed"
  ;;
*)
  fail "unknown case $CASE"
  ;;
esac
if [ "$fails" -gt 0 ]; then
  echo "--- output of the last run:"
  cat out.* 2>/dev/null | head -60
  exit 1
fi
echo "mpi/$CASE: ok"
