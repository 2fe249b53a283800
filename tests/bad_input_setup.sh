#!/bin/bash
# bad_input_setup.sh BIN SRC DIR - the shared fixtures of the bad-input suite (bad_input.cmake),
# made at test time in DIR (under the build tree) and nothing big: every file here is a few KiB.
#   BIN  the cifarbench executable (it writes the good model files the broken ones start from)
#   SRC  the source tree's tests/ directory (tests/data/reports/*.json, ../data/iris.csv)
# Each case runs in a directory of its own (bad_input_case.sh) and only reads what is here.
set -euo pipefail
BIN=$(realpath "$1") SRC=$(realpath "$2") DIR=$3
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"

# Things that are not regular files, and a regular file to use as a "directory".
mkfifo fifo
ln -s no-such-target dangling
ln -s /dev/zero zero-link
mkdir dir
printf 'just text\n' > afile
: > empty

# CIFAR-10 directories, each broken in its first file (files are checked in order, before any
# is read, so the others need not exist): every way a batch file can be unusable.
for d in fifo zero dir dangling truncated small none; do mkdir "cifar-$d"; done
mkfifo cifar-fifo/data_batch_1.bin
ln -s /dev/zero cifar-zero/data_batch_1.bin
mkdir cifar-dir/data_batch_1.bin
ln -s no-such-file cifar-dangling/data_batch_1.bin
head -c $((3073 * 2 + 100)) /dev/zero > cifar-truncated/data_batch_1.bin
head -c $((3073 * 3)) /dev/zero > cifar-small/data_batch_1.bin

# Model files: a good one from a short run, then truncated, corrupt, of another network...
"$BIN" train --images 64 --test-images 32 --epochs 1 --save model.cbm > log.txt 2>&1 ||
  { cat log.txt; exit 1; }
"$BIN" train --task binary --images 64 --test-images 32 --save model-binary.cbm > log.txt 2>&1 ||
  { cat log.txt; exit 1; }
rm log.txt
size=$(stat -c %s model.cbm)
head -c 1000 model.cbm > model-truncated.cbm
cp model.cbm model-corrupt.cbm
printf '\x55' | dd of=model-corrupt.cbm bs=1 seek=$((size / 2)) conv=notrunc status=none
cp model.cbm model-trailing.cbm
printf 'x' >> model-trailing.cbm
cp model.cbm model-version.cbm
printf '\x09' | dd of=model-version.cbm bs=1 seek=8 conv=notrunc status=none
# A header that promises 2^31 values (fc1_w's first dimension 512 -> 2^26) in a 70 KB file.
cp model.cbm model-huge-header.cbm
printf '\x00\x00\x00\x04' | dd of=model-huge-header.cbm bs=1 seek=80 conv=notrunc status=none
printf 'hello, not a model\n' > model-text.cbm
: > model-empty.cbm

# Variant files.
long=$(printf '%0253d' 0)
{ echo '# cifarbench variants 2'; echo "# ${long}conv9x9_fwd avx2"; } > var-long-comment.txt
printf '# cifarbench variants 2\nconv2d_fwd sse9\n' > var-bad-isa.txt
printf '# cifarbench variants 2\n' > var-header-only.txt
printf '# cifarbench variants 2\nconv2d_fwd scalar\0avx2\n' > var-nul.txt
printf '\x7fELF\x02\x01\x01\x00garbage\n' > var-garbage.txt
: > var-empty.txt

# Iris CSVs: cut short, a long row (its error past byte 256 must name line 10; the same row with
# only spaces after it is fine), NaN and 1e999 values, the file twice, garbage.
iris=$SRC/../data/iris.csv
head -n 50 "$iris" > iris-truncated.csv
awk 'NR == 10 { printf "%s%300s x\n", $0, ""; next } { print }' "$iris" > iris-long-line.csv
awk 'NR == 10 { printf "%s%300s\n", $0, ""; next } { print }' "$iris" > iris-long-ok.csv
awk 'NR == 20 { print "setosa,nan,3.0,1.4,0.2"; next } { print }' "$iris" > iris-nan.csv
awk 'NR == 30 { print "setosa,1e999,3.0,1.4,0.2"; next } { print }' "$iris" > iris-huge.csv
cat "$iris" "$iris" > iris-too-many.csv
printf '\x00\x01\x02garbage' > iris-garbage.csv

# Result JSON files (the reports' readers): cut short, not JSON, NULs, empty.
good=$SRC/data/reports/train_scalar.json
head -c 300 "$good" > res-truncated.json
printf '\x89PNG\r\n\x1a\n' > res-garbage.json
printf '{"schema": "cifarbench-result"}\0{}' > res-nul.json
: > res-empty.json
echo "fixtures ready in $DIR"
