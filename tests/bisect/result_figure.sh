# result_figure.sh CIFARBENCH WORK - COMMAND writes a train result whose epochs' images/s fall
# from 1000-1020 to 800-820 at commit 8: bisect --result --figure "train images/s" (run in the
# repository, without -C) pools 3 epochs x 5 runs a revision and names commit 8.
. "$(dirname "$0")/lib.sh"
make_repo 8
cd "$REPO" || exit 1
run_bisect 0 --good main~11 --bad main --run "sh '$HERE/write_train_result.sh' out.json" \
  --result out.json --figure 'train images/s'
expect_output "^first bad revision: $(hash_of 8) commit 8\$"
expect_output '^good  [0-9a-f]{12}  median 1010  \(5 runs, 15 values\)$'
expect_output '^bad   [0-9a-f]{12}  median 810  \(5 runs, 15 values\)$'
expect_output '^medians: good 1010, bad 810; first bad 810, its parent 1010$'
check_restored
echo "PASS: commit 8 found by a figure of the result file"
