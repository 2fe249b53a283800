#!/bin/bash
# history_cli.sh - `cifarbench record` and `cifarbench history` end to end, on generated results.
#
#   history_cli.sh CIFARBENCH WORK CASE
#
# Every case works in a fresh directory WORK on train results this script writes (result_file):
# a revision per run, commit times in order, five epochs whose images/s are the run's level with
# +-0.5% of deterministic jitter. Cases:
#   check      12 runs, the last 4 at 10% fewer images/s: --check exits 1 naming r07..r08; the
#              first 8 alone: exit 0; --threshold 20 lets the 10% pass (exit 0); --out writes both
#              pages, the chart with its change point
#   dedupe     recording a file twice stores one run
#   refuse     a malformed file, a file of schema_version 99 and a study result are refused with
#              the reason; the good files given with them are not stored (one transaction)
#   concurrent two records at once both land
#   usage      exit 2 for bad usage and a missing database under --check; exit 1 for --list
set -u
B=$1 WORK=$2 CASE=$3
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
export CIFARBENCH_DB="$WORK/h.db"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# result_file PATH REV HOUR LEVEL: a train result of revision REV, committed HOUR:00 UTC on one day.
result_file() {
  local path=$1 rev=$2 hour=$3 level=$4 epochs="" e
  for e in 1 2 3 4 5; do
    local ips
    ips=$(awk -v l="$level" -v e="$e" -v h="$hour" 'BEGIN { printf "%.3f", l * (1 + 0.005 * sin(e * 7 + h * 3)) }')
    epochs="$epochs${epochs:+,}{\"epoch\": $e, \"images\": 2048, \"seconds\": $(awk -v i="$ips" 'BEGIN { printf "%.6f", 2048 / i }'), \"images_per_s\": $ips}"
  done
  printf '{"schema": "cifarbench-result", "schema_version": 1, "command": "train", "task": "classify",
 "context": {"machine": {"cpu_model": "Test CPU"}, "isa": "avx2", "threads": 2, "bind": "core",
  "git_revision": "%s", "git_commit_time": "2026-11-01T%02d:00:00Z",
  "dataset": {"kind": "synthetic", "train_images": 2048, "test_images": 256}},
 "config": {"batch": 32, "epochs": 5}, "epochs": [%s]}\n' "$rev" "$hour" "$epochs" > "$path"
}

# runs_stored: the number of runs of the one series (0 when there is none).
runs_stored() {
  "$B" history --list 2>/dev/null | awk '/train images\/s/ { print $3; found = 1 } END { if (!found) print 0 }'
}

# expect CODE REGEX CMD...: CMD exits CODE and its output matches REGEX.
expect() {
  local code=$1 re=$2 out rc
  shift 2
  out=$("$@" 2>&1); rc=$?
  [ "$rc" -eq "$code" ] || fail "$* exited $rc, not $code: $out"
  printf '%s' "$out" | tr '\n' ' ' | grep -Eq -- "$re" || fail "$* printed no match for /$re/: $out"
}

case $CASE in
check)
  for i in $(seq 0 11); do
    level=1000; [ "$i" -ge 8 ] && level=900
    result_file "r$(printf %02d "$i").json" "r$(printf %02d "$i")" "$i" "$level"
  done
  expect 0 "recorded as run 8" "$B" record r0[0-7].json
  expect 0 "0 with a slow-down" "$B" history --check
  expect 0 "recorded as run 12" "$B" record r0[89].json r1[01].json
  [ "$(runs_stored)" = 12 ] || fail "12 runs expected, $(runs_stored) stored"
  expect 1 "SLOW-DOWN train images/s on Test CPU .*-10\.0%.*between r07\.\.r08; 4 runs since" "$B" history --check
  expect 0 "0 with a slow-down of more than 20%" "$B" history --check --threshold 20
  expect 0 "wrote out/history.md and out/history.html \(1 series\)" "$B" history --out out
  grep -q "<svg" out/history.html || fail "history.html has no chart"
  grep -q "r07\.\.r08" out/history.html || fail "history.html does not mark the change at r07..r08"
  grep -q "| 8 | r07\.\.r08 |" out/history.md || fail "history.md has no change-point row for r07..r08"
  ;;
dedupe)
  result_file a.json a 1 1000
  expect 0 "recorded as run 1" "$B" record a.json
  expect 0 "already recorded as run 1" "$B" record a.json
  cp a.json copy.json
  expect 0 "already recorded as run 1" "$B" record copy.json
  [ "$(runs_stored)" = 1 ] || fail "one run expected, $(runs_stored) stored"
  ;;
refuse)
  result_file a.json a 1 1000
  result_file b.json b 2 1000
  expect 0 "recorded" "$B" record a.json
  printf '{"schema": "cifarbench-result", "schema_version": 1, "command": "train",' > broken.json
  sed 's/"schema_version": 1/"schema_version": 99/' b.json > v99.json
  printf '{"schema": "cifarbench-result", "schema_version": 1, "command": "study", "context": {"isa": "avx2"}, "runs": [{"loss": "x", "matched": true, "step": [1]}]}\n' > study.json
  expect 1 "broken.json:.*nothing recorded" "$B" record b.json broken.json
  expect 1 "v99.json.*schema_version.*99.*nothing recorded" "$B" record b.json v99.json
  expect 1 "study.json: a study result holds no timings.*nothing recorded" "$B" record b.json study.json
  expect 1 "not a regular file|nothing recorded" "$B" record b.json /dev/null
  [ "$(runs_stored)" = 1 ] || fail "only a.json's run expected, $(runs_stored) stored"
  ;;
concurrent)
  result_file a.json a 1 1000
  result_file b.json b 2 1000
  "$B" record a.json > a.out 2>&1 & pa=$!
  "$B" record b.json > b.out 2>&1 & pb=$!
  wait $pa || fail "the first record failed: $(cat a.out)"
  wait $pb || fail "the second record failed: $(cat b.out)"
  [ "$(runs_stored)" = 2 ] || fail "both runs expected, $(runs_stored) stored"
  ;;
usage)
  expect 2 "no history database here" "$B" history --check
  expect 1 "no history database here" "$B" history --list
  expect 2 "exclusive" "$B" history --list --check
  expect 2 "say what to do" "$B" history
  expect 2 "no result files" "$B" record
  result_file a.json a 1 1000
  expect 0 "recorded" "$B" record a.json
  expect 2 "no runs matching --figure" "$B" history --check --figure nothing
  printf 'not a database, just text\n' > text.db
  expect 1 "text.db: .*not a .*database|text.db: .*not a database" "$B" history --list --db text.db
  ;;
*)
  echo "unknown case $CASE"; exit 2 ;;
esac
[ "$fails" -eq 0 ] && echo "ok: $CASE" && exit 0
exit 1
