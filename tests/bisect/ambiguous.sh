# ambiguous.sh CIFARBENCH WORK - commit 7, just before the step at 8, cannot be measured: the first
# bad revision is 7 or 8, and bisect says so (both listed, exit 1) instead of naming one.
. "$(dirname "$0")/lib.sh"
make_repo 8 7
run_bisect 1 --good main~11 --bad main --run 'sleep "$(cat delay)"' -C "$REPO"
expect_output '^no single first bad revision: only skipped revisions are left to test, and the first bad one is one of these 2:$'
expect_output "^  $(hash_of 8) commit 8\$"
expect_output "^  $(hash_of 7) commit 7\$"
expect_no_output '^first bad revision'
check_restored
echo "PASS: the skipped commit 7 reported as a candidate with 8"
