#!/bin/bash
# bad_input_case.sh - one case of the bad-input suite (bad_input.cmake).
#
#   bad_input_case.sh WORK EXPECT REGEX [options] -- COMMAND [ARG...]
#
# Runs COMMAND in a fresh directory WORK (created empty; relative paths in the arguments are in
# it), with stdin from /dev/null and a time limit, and checks that
#   - it ends by itself within the limit (a hang, e.g. on a FIFO, fails the case) and by exit(),
#     not by a signal;
#   - its exit code is EXPECT (1: the input cannot be used, 2: bad usage; 0 for the few cases
#     that must be accepted);
#   - stdout + stderr match the extended regular expression REGEX (the message names the problem);
#   - nothing is left behind: WORK holds exactly what the options below put there (not checked
#     for EXPECT 0, which writes its outputs), every --absent path is absent, and no PATH.tmp.*
#     sibling exists for any --tmp-free path (/dev/full ...);
#   - every --kind PATH:TYPE still has its type (p FIFO, c character device, d directory,
#     l symbolic link, f regular file): a device or a FIFO is never replaced.
# Options (before --):
#   --fifo P | --mkdir P | --touch P | --text P TEXT | --link TARGET P   made in WORK first
#   --absent P          must not exist afterwards (relative to WORK)
#   --exists P          must exist afterwards (an output of a case that succeeds)
#   --same A B          files A and B must have the same contents afterwards
#   --tmp-free P        no P.tmp.* may exist afterwards (for paths outside WORK)
#   --kind P:T          P must still be of type T afterwards
#   --not REGEX         the output must not match (e.g. the progress lines of work that ran)
#   --env NAME=VALUE    in the command's environment
#   --vanish P          once the command has loaded its data (its stderr says "CIFAR-10 from" or
#                       "synthetic"), stop it, remove P (rm -rf) and let it go on: an output path
#                       that disappears during the work
#   --timeout S         the time limit (default 20 s)
# An argument "@EMPTY@" after -- is passed as an empty string.
set -u
WORK=$1 EXPECT=$2 REGEX=$3
shift 3
absent=() exists=() same=() tmpfree=() kinds=() envs=() notre="" vanish="" limit=20
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 1
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --fifo) mkfifo "$2"; shift 2 ;;
    --mkdir) mkdir -p "$2"; shift 2 ;;
    --touch) : > "$2"; shift 2 ;;
    --text) printf '%s' "$3" > "$2"; shift 3 ;;
    --link) ln -s "$2" "$3"; shift 3 ;;
    --absent) absent+=("$2"); shift 2 ;;
    --exists) exists+=("$2"); shift 2 ;;
    --same) same+=("$2" "$3"); shift 3 ;;
    --tmp-free) tmpfree+=("$2"); shift 2 ;;
    --kind) kinds+=("$2"); shift 2 ;;
    --not) notre=$2; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --vanish) vanish=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    *) echo "bad_input_case.sh: unknown option $1"; exit 1 ;;
  esac
done
[ "${1:-}" = "--" ] || { echo "bad_input_case.sh: no -- before the command"; exit 1; }
shift
args=() # "@EMPTY@" is an empty argument (CMake cannot pass one through a list)
for a in "$@"; do
  [ "$a" = "@EMPTY@" ] && a=""
  args+=("$a")
done
set -- "${args[@]}"
before=$(find . -mindepth 1 | LC_ALL=C sort)

# env and timeout exec one another, so $! below is timeout's pid and the command is its child.
if [ -z "$vanish" ]; then
  env ${envs[@]+"${envs[@]}"} timeout -k 5 "$limit" "$@" < /dev/null > stdout.txt 2> stderr.txt
  rc=$?
else
  env ${envs[@]+"${envs[@]}"} timeout -k 5 "$limit" "$@" < /dev/null > stdout.txt 2> stderr.txt &
  pid=$!
  for _ in $(seq 1 1000); do
    grep -qE "CIFAR-10 from|synthetic" stderr.txt 2> /dev/null && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.01
  done
  child=$(pgrep -P "$pid" | head -n 1)
  [ -n "$child" ] && kill -STOP "$child"
  rm -rf "$vanish"
  [ -n "$child" ] && kill -CONT "$child"
  wait "$pid"
  rc=$?
fi
out=$(cat stdout.txt stderr.txt)
rm -f stdout.txt stderr.txt
after=$(find . -mindepth 1 | LC_ALL=C sort)
printf 'command: %s\nexit %s\n--- output\n%s\n---\n' "$*" "$rc" "$out"

fail() { echo "FAIL: $*"; exit 1; }
[ "$rc" -eq 124 ] && fail "no exit within ${limit} s (a hang)"
[ "$rc" -gt 128 ] && fail "killed by signal $((rc - 128))"
[ "$rc" -eq "$EXPECT" ] || fail "expected exit code $EXPECT, got $rc"
printf '%s' "$out" | grep -qE -- "$REGEX" || fail "the output does not match '$REGEX'"
if [ -n "$notre" ] && printf '%s' "$out" | grep -qE -- "$notre"; then
  fail "the output matches '$notre': work ran that the check should have prevented"
fi
if [ -n "$vanish" ]; then
  expected=$(printf '%s\n' "$before" | grep -v -x -F -e "./$vanish" | grep -v -F -e "./$vanish/")
  before=$expected
fi
if [ "$EXPECT" -ne 0 ]; then
  [ "$after" = "$before" ] || fail "files left behind or removed in $WORK:
$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after"))"
fi
left=$(find . -name '*.tmp.*')
[ -z "$left" ] || fail "temporary files left behind in $WORK: $left"
for p in ${exists[@]+"${exists[@]}"}; do
  [ -e "$p" ] || fail "$p does not exist afterwards"
done
for ((i = 0; i + 1 < ${#same[@]}; i += 2)); do
  cmp -s "${same[i]}" "${same[i + 1]}" || fail "${same[i]} and ${same[i + 1]} differ"
done
for p in ${absent[@]+"${absent[@]}"}; do
  { [ -e "$p" ] || [ -L "$p" ]; } && fail "$p exists afterwards"
done
for p in ${tmpfree[@]+"${tmpfree[@]}"}; do
  compgen -G "$p.tmp.*" > /dev/null && fail "a temporary file $p.tmp.* was left behind"
done
for k in ${kinds[@]+"${kinds[@]}"}; do
  p=${k%:*} t=${k##*:}
  case $t in
    p) [ -p "$p" ] ;; c) [ -c "$p" ] ;; d) [ -d "$p" ] && [ ! -L "$p" ] ;;
    l) [ -L "$p" ] ;; f) [ -f "$p" ] && [ ! -L "$p" ] ;;
  esac || fail "$p is no longer of type $t"
done
echo "ok"
