# lib.sh - sourced by the cifarbench bisect tests (tests/bisect.cmake): a scratch git repository
# whose figure steps at a chosen commit, and the checks every case makes.
#
#   . lib.sh CIFARBENCH WORK     (the arguments of the case's script)
#
# WORK is made afresh; git never looks above it (GIT_CEILING_DIRECTORIES: the project's own
# repository is out of reach), reads no user or system configuration (HOME=WORK), and the
# bisect's temporary directory goes to WORK/tmp (TMPDIR), which must be empty afterwards.
set -u
CB=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$WORK/repo
rm -rf "$WORK"
mkdir -p "$WORK/tmp" || exit 1
export GIT_CEILING_DIRECTORIES="$WORK" HOME="$WORK" GIT_CONFIG_NOSYSTEM=1 TMPDIR="$WORK/tmp"
export LC_ALL=C

fail() {
  echo "FAIL: $*"
  exit 1
}

# make_repo STEP [BROKEN]: commits 1..12 ("commit N") on branch main. Commits before STEP hold
# delay 0.01 and speed 1000, STEP and later delay 0.06 and speed 800; commit BROKEN has neither
# file (COMMAND fails there).
make_repo() {
  git init -q "$REPO" && git -C "$REPO" symbolic-ref HEAD refs/heads/main || fail "git init"
  git -C "$REPO" config user.name "cifarbench test"
  git -C "$REPO" config user.email "test@example.com"
  i=1
  while [ "$i" -le 12 ]; do
    if [ "$i" -lt "$1" ]; then
      echo 0.01 > "$REPO/delay"; echo 1000 > "$REPO/speed"
    else
      echo 0.06 > "$REPO/delay"; echo 800 > "$REPO/speed"
    fi
    [ "$i" = "${2:-}" ] && rm -f "$REPO/delay" "$REPO/speed"
    echo "$i" > "$REPO/n"
    git -C "$REPO" add -A && git -C "$REPO" commit -q -m "commit $i" || fail "commit $i"
    i=$((i + 1))
  done
}

# hash_of N: the full hash of commit N.
hash_of() {
  git -C "$REPO" rev-parse "main~$((12 - $1))"
}

# run_bisect EXPECT ARGS...: cifarbench bisect ARGS (output shown, and in $OUT); fails unless it
# exits with EXPECT.
run_bisect() {
  expect=$1
  shift
  start=$(date +%s)
  "$CB" bisect "$@" > "$WORK/out.txt" 2>&1
  rc=$?
  OUT=$(cat "$WORK/out.txt")
  echo "--- cifarbench bisect $* -> exit $rc in $(($(date +%s) - start)) s"
  cat "$WORK/out.txt"
  [ "$rc" = "$expect" ] || fail "exit code $rc, expected $expect"
}

# expect_output ERE: the last run's output matches.
expect_output() {
  printf '%s\n' "$OUT" | grep -Eq -- "$1" || fail "the output does not match: $1"
}

# expect_no_output ERE: the last run's output does not match.
expect_no_output() {
  printf '%s\n' "$OUT" | grep -Eq -- "$1" && fail "the output matches: $1"
  return 0
}

# check_restored: the repository is on main with no bisect under way and no tracked changes, and
# the temporary directory is gone.
check_restored() {
  [ "$(git -C "$REPO" rev-parse --abbrev-ref HEAD)" = main ] || fail "the repository is not back on main"
  git -C "$REPO" bisect log > /dev/null 2>&1 && fail "a bisect is still under way"
  [ -z "$(git -C "$REPO" status --porcelain --untracked-files=no)" ] || fail "tracked files changed"
  [ -z "$(ls -A "$TMPDIR")" ] || fail "left behind in TMPDIR: $(ls -A "$TMPDIR")"
}
