# failures.sh CIFARBENCH WORK - what bisect refuses, with its exit code and message, each time
# leaving the repository as it was: bad usage and repositories it cannot work in (2), and good
# and bad that cannot be measured or do not differ (1).
. "$(dirname "$0")/lib.sh"
make_repo 8
run="sleep 0"
# usage
run_bisect 2 --good main~11 --bad main -C "$REPO"
expect_output '^cifarbench bisect: needs --good REV, --bad REV and --run COMMAND; --run is missing'
run_bisect 2 --good main~11 --bad main --run "$run" --result out.json -C "$REPO"
expect_output '--result FILE and --figure NAME go together: --figure is missing'
run_bisect 2 --good main~11 --bad main --run "$run" --repetitions 3 -C "$REPO"
expect_output 'with 3 repetitions a side the U test cannot reach p < 0.05 .*raise --repetitions to 4 or more'
run_bisect 2 --good main~11 --bad main --run "$run" --repetitions 6 --max-repetitions 5 -C "$REPO"
expect_output '--max-repetitions 5 is below --repetitions 6'
run_bisect 2 --good main~11 --bad main --run "$run" --step x
expect_output '--step is internal'
# the repository
mkdir "$WORK/plain"
run_bisect 2 --good main~11 --bad main --run "$run" -C "$WORK/plain"
expect_output "^cifarbench bisect: $WORK/plain is not in a git work tree\$"
run_bisect 2 --good main~11 --bad main --run "$run" -C "$WORK/no-such-dir"
expect_output "^cifarbench bisect: -C $WORK/no-such-dir: No such file or directory\$"
run_bisect 2 --good no-such-rev --bad main --run "$run" -C "$REPO"
expect_output "^cifarbench bisect: --good 'no-such-rev' is not a commit in $REPO\$"
run_bisect 2 --good main --bad main --run "$run" -C "$REPO"
expect_output '^cifarbench bisect: --good and --bad are the same commit \([0-9a-f]{12}\): nothing to bisect$'
run_bisect 2 --good main --bad main~11 --run "$run" -C "$REPO"
expect_output '^cifarbench bisect: --good main is not an ancestor of --bad main~11$'
echo changed >> "$REPO/n"
run_bisect 2 --good main~11 --bad main --run "$run" -C "$REPO"
expect_output 'has changes to tracked files'
git -C "$REPO" checkout -q n
git -C "$REPO" bisect start > /dev/null
run_bisect 2 --good main~11 --bad main --run "$run" -C "$REPO"
expect_output 'a bisect is under way in .*: finish it first \(git bisect reset\)'
git -C "$REPO" bisect reset -q > /dev/null 2>&1 || git -C "$REPO" bisect reset > /dev/null 2>&1
check_restored
# good and bad: one cannot be measured, or they do not differ (the same images/s at commits 1 and
# 3: no test can tell them apart, where two wall times of one speed can drift apart by chance)
run_bisect 1 --good main~11 --bad main --run 'exit 3' -C "$REPO"
expect_output '^cifarbench bisect: cannot measure --good [0-9a-f]{12}: COMMAND exited with status 3$'
check_restored
figure() { run_bisect "$@" --run "sh '$HERE/write_train_result.sh' out.json" --result out.json -C "$REPO"; }
figure 1 --good main~11 --bad main --figure 'test accuracy'
expect_output "cannot measure --good [0-9a-f]{12}: .*out.json has no figure 'test accuracy' \(it has: 'train images/s'\)"
check_restored
figure 1 --good main~11 --bad main~9 --figure 'train images/s'
expect_output '^cifarbench bisect: good \(median 1010\) and bad \(median 1010\) do not differ significantly: p = 1.0000, not below alpha 0.05 .*: nothing to bisect$'
check_restored
echo "PASS: every refusal with its code and message, the repository left as it was"
