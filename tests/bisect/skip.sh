# skip.sh CIFARBENCH WORK - commit 6, before the step at 8 and the first revision git bisect
# tests, has no `delay`: COMMAND fails there, the revision is skipped, and commit 8 is found.
. "$(dirname "$0")/lib.sh"
make_repo 8 6
run_bisect 0 --good main~11 --bad main --run 'sleep "$(cat delay)"' -C "$REPO"
six=$(hash_of 6)
expect_output "^  $(echo "$six" | cut -c1-12)  skip: COMMAND exited with status 1\$"
expect_output "^first bad revision: $(hash_of 8) commit 8\$"
check_restored
echo "PASS: commit 8 found past the undecidable commit 6"
