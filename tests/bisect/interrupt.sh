# interrupt.sh CIFARBENCH WORK - SIGTERM while git bisect run is under way: bisect stops its
# children, resets the bisect (the repository back on main), removes its temporary directory and
# exits with 128 + 15; no process of COMMAND is left running.
. "$(dirname "$0")/lib.sh"
make_repo 8
marker="sleep 0.05$$" # COMMAND's second sleep, ~50 ms, named after this script's pid
# 8 runs per end: on a loaded machine 5 could fail to tell 10 ms from 60 ms, and bisect would end
# ("good and bad do not differ") before there is a step to interrupt.
"$CB" bisect --good main~11 --bad main --repetitions 8 --run "sleep \"\$(cat delay)\"; $marker" -C "$REPO" \
  > "$WORK/out.txt" 2>&1 &
pid=$!
tries=0
until grep -q 'p vs good' "$WORK/out.txt"; do # the first step's line: git bisect run is running
  tries=$((tries + 1))
  kill -0 "$pid" 2> /dev/null || { cat "$WORK/out.txt"; fail "bisect ended before its first step"; }
  [ "$tries" -le 600 ] || { kill "$pid"; fail "no step within 60 s"; }
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
cat "$WORK/out.txt"
[ "$rc" = 143 ] || fail "exit code $rc, expected 143"
grep -q '^cifarbench bisect: interrupted by signal 15; the repository is back where it was' "$WORK/out.txt" ||
  fail "no message about the interrupt"
check_restored
if command -v pgrep > /dev/null; then
  sleep 0.2
  pgrep -f "$marker" > /dev/null && fail "COMMAND still runs: $(pgrep -af "$marker")"
fi
echo "PASS: interrupted, and the repository reset"
