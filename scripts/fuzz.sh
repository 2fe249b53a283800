#!/usr/bin/env bash
# The libFuzzer targets (tests/fuzz/): builds them with clang in build-fuzz/ (the project's
# libraries with coverage, ASan and UBSan), then runs each for FUZZ_SECONDS on a copy of its seed
# corpus, and prints per target the executions, executions per second and whether it crashed.
# Exit status: 0 no target failed (or fuzzing skipped: no clang or no libFuzzer, said so); 1 a
# target crashed, leaked, timed out, ran out of memory or did not run; 2 the build failed.
#
# Environment:
#   FUZZ_SECONDS=30        seconds per target (-max_total_time); CI uses the default
#   FUZZ_TARGETS="a b"     only these targets (default: every one, tests/fuzz/CMakeLists.txt)
#   FUZZ_PARALLEL=N        targets run at the same time (default: the number of CPUs)
#   FUZZ_FORK=N            processes per target (libFuzzer -fork=N; default 1, no fork)
#   FUZZ_BUILD=build-fuzz  the build directory
#   FUZZ_RUN=DIR           where runs go (default $FUZZ_BUILD/fuzz-run): DIR/<target>/{corpus,
#                          artifacts,log}; a crash leaves its input in DIR/<target>/artifacts/
#   CC, CXX                the clang to use (default clang, clang++)
# Extra arguments go to every fuzzer, e.g. scripts/fuzz.sh -max_len=4096.
# Running for hours, reproducing a crash, adding a target: tests/fuzz/README.md.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-30}
build=${FUZZ_BUILD:-build-fuzz}
run=${FUZZ_RUN:-$build/fuzz-run}
parallel=${FUZZ_PARALLEL:-$(nproc 2>/dev/null || echo 1)}
fork=${FUZZ_FORK:-1}
cc=${CC:-clang}
cxx=${CXX:-clang++}

skip() {
    echo "fuzz.sh: SKIPPED, no fuzzing done: $*"
    echo "fuzz.sh: install clang and its runtime to fuzz: sudo apt-get install clang libclang-rt-dev"
    exit 0
}

# 1. clang with libFuzzer, or a visible skip.
command -v "$cc" >/dev/null 2>&1 || skip "no C compiler '$cc' (clang)"
"$cc" --version 2>/dev/null | grep -qi clang || skip "'$cc' is not clang (libFuzzer is clang's)"
command -v "$cxx" >/dev/null 2>&1 || skip "no C++ compiler '$cxx' (clang++)"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$probe/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" >"$probe/log" 2>&1 ||
    skip "'$cc' cannot link -fsanitize=fuzzer,address,undefined (libFuzzer or the sanitizer runtime missing): $(head -c 300 "$probe/log")"

# 2. The build: every library with coverage (fuzzer-no-link; not the functions listed in
#    tests/fuzz/coverage_ignore.txt) and ASan + UBSan (CB_SANITIZE); asserts kept (no NDEBUG). Only
#    the fuzz targets are built.
cov_flags="-fsanitize=fuzzer-no-link -fsanitize-coverage-ignorelist=$PWD/tests/fuzz/coverage_ignore.txt"
echo "fuzz.sh: building the fuzz targets with $cc in $build/"
if ! CC=$cc CXX=$cxx cmake -S . -B "$build" -DCB_FUZZ=ON -DCB_SANITIZE=address,undefined \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g" \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g" \
        -DCMAKE_C_FLAGS="$cov_flags" -DCMAKE_CXX_FLAGS="$cov_flags" \
        >"$probe/configure.log" 2>&1; then
    cat "$probe/configure.log"
    echo "fuzz.sh: FAILED: cmake configure of $build"
    exit 2
fi
grep -A6 "CMake Warning" "$probe/configure.log" || true
if ! cmake --build "$build" --target fuzz -j"$(nproc 2>/dev/null || echo 1)" >"$probe/build.log" 2>&1; then
    tail -n 60 "$probe/build.log"
    echo "fuzz.sh: FAILED: building the fuzz targets"
    exit 2
fi
fuzzdir=$build/tests/fuzz
targets=${FUZZ_TARGETS:-$(cat "$fuzzdir/fuzz_targets.txt")}

# 3. Each target on a copy of its seed corpus (the repository's corpus is never written). The
#    targets' scratch files (tests/fuzz/fuzz_common.h) go to one directory on tmpfs that is removed
#    at the end, also what a crashed process could not remove itself.
scratch=$(mktemp -d /dev/shm/cb-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$probe" "$scratch"' EXIT
export CB_FUZZ_TMPDIR=$scratch
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fuzz_one() {
    local t=$1 dir=$run/$1
    shift
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp -R "tests/fuzz/corpus/$t/." "$dir/corpus/" 2>/dev/null
    local dict=()
    [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
    local forking=()
    [ "$fork" -gt 1 ] && forking=(-fork="$fork" -ignore_crashes=0)
    "$fuzzdir/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/" ${dict[@]+"${dict[@]}"} ${forking[@]+"${forking[@]}"} "$@" "$dir/corpus" \
        >"$dir/log" 2>&1
    echo $? >"$dir/rc"
}

echo "fuzz.sh: running $(echo $targets | wc -w) target(s) for ${seconds} s each, $parallel at a time"
for t in $targets; do
    if [ ! -x "$fuzzdir/$t" ]; then
        echo "fuzz.sh: no target $t in $fuzzdir"
        exit 1
    fi
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do
        wait -n
    done
    fuzz_one "$t" "$@" &
done
wait

# 4. Per target: executions, rate, corpus growth, and the verdict.
failed=0
printf '\n%-20s %14s %10s %8s %8s  %s\n' target executions exec/s "new" "rss MB" result
for t in $targets; do
    dir=$run/$t
    log=$dir/log
    final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
    execs=$(final_stat number_of_executed_units)
    rate=$(final_stat average_exec_per_sec)
    added=$(final_stat new_units_added)
    rss=$(final_stat peak_rss_mb)
    if [ -z "$execs" ]; then # crashed, or -fork: no final stats; the last status line has the count
        execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
        [ -n "$execs" ] && rate=$((execs / seconds))
    fi
    rc=$(cat "$dir/rc" 2>/dev/null || echo 1)
    artifacts=$(find "$dir/artifacts" -type f 2>/dev/null | sort)
    if [ "$rc" = 0 ] && [ -z "$artifacts" ]; then
        result=ok
    else
        failed=1
        kind=$(grep -o -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)[^ ]*: [a-zA-Z_-]+|runtime error|contract broken|out-of-memory|timeout' "$log" | head -n 1)
        result="FAILED (exit $rc${kind:+: $kind})"
    fi
    printf '%-20s %14s %10s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${added:-?}" "${rss:-?}" "$result"
    for a in $artifacts; do
        echo "    reproducer: $a   (run: $fuzzdir/$t $a)"
    done
    [ "$result" = ok ] || echo "    log: $log"
done
if [ "$failed" != 0 ]; then
    echo "fuzz.sh: FAILED: see the logs and reproducers above (tests/fuzz/README.md: reproducing)"
    exit 1
fi
echo "fuzz.sh: every target ran ${seconds} s without a crash, leak or timeout"
