# wall_time.sh CIFARBENCH WORK - the wall time of `sleep "$(cat delay)"` steps from 10 to 60 ms
# at commit 8 of 12: bisect (run from outside the repository, with -C) names commit 8, with the
# medians, and leaves the repository on main.
. "$(dirname "$0")/lib.sh"
make_repo 8
cd "$WORK" || exit 1
run_bisect 0 --good main~11 --bad main --run 'sleep "$(cat delay)"' -C "$REPO"
expect_output "^first bad revision: $(hash_of 8) commit 8\$"
expect_output '^medians: good [0-9.]+ ms, bad [0-9.]+ ms; first bad [0-9.]+ ms, its parent [0-9.]+ ms$'
expect_output '^  [0-9a-f]{12}  median [0-9.]+ ms +p vs good [0-9.e-]+ +p vs bad [0-9.e-]+ +(good|bad)'
check_restored
echo "PASS: commit 8 found by wall time"
