# aborted.sh CIFARBENCH WORK - at commit 6, the first revision git bisect tests, COMMAND kills the
# step that runs it (SIGKILL), so git bisect run gives up: bisect says it stopped early and how
# many candidates were left untested (exit 1), and the repository is put back on main.
. "$(dirname "$0")/lib.sh"
make_repo 8 6
run_bisect 1 --good main~11 --bad main --run '[ -f delay ] || kill -9 $PPID; sleep "$(cat delay)"' -C "$REPO"
expect_output '^cifarbench bisect: git bisect run stopped early \(it exited with status [0-9]+\): 10 of the 11 candidate revisions are untested$'
expect_no_output '^first bad revision'
check_restored
echo "PASS: git bisect run's failure reported, the repository reset"
