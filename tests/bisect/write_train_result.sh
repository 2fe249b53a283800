# write_train_result.sh FILE - the COMMAND of the --result tests: writes a minimal cifarbench
# train result to FILE with three epochs whose images/s are S, S + 10 and S + 20, S the number in
# the file `speed` of the current directory (the repository's top); fails when there is none.
s=$(cat speed) || exit 1
epoch() { # epoch N IMAGES_PER_S
  printf '    {"epoch": %d, "images": 512, "seconds": %s, "images_per_s": %d}' "$1" \
    "$(awk -v r="$2" 'BEGIN { printf "%.6f", 512 / r }')" "$2"
}
{
  printf '{\n  "schema": "cifarbench-result",\n  "schema_version": 1,\n  "command": "train",\n'
  printf '  "task": "classify",\n  "context": {"isa": "scalar", "threads": 1},\n  "epochs": [\n'
  epoch 1 "$s"; printf ',\n'; epoch 2 $((s + 10)); printf ',\n'; epoch 3 $((s + 20))
  printf '\n  ]\n}\n'
} > "$1"
