#!/usr/bin/env bash
# bench/mca/run.sh - a throughput model of the kernels' hot loops on CPUs we do not have.
#
# Compiles kernels/avx2/*.c and kernels/avx512/*.c to assembly with the project's flags plus
# -DCB_MCA, which turns the CB_MCA_BEGIN/END markers (kernels/include/cb_mca.h) into llvm-mca
# region comments, runs llvm-mca on each marked loop body for every CPU in CPUS, and prints, per
# region and CPU, the modelled cycles per iteration, FLOP per cycle and share of the core's peak,
# as a Markdown table. README.md beside this file says what is and is not modelled.
#
#   bench/mca/run.sh [--llvm-mca PATH] [--cc PATH] [--out FILE.md] [--tsv FILE]
#
# Exit status 0 when every region in EXPECTED_REGIONS was found and modelled; 1 with a message when
# the compiler or llvm-mca is missing or unusable, or a region is missing; 2 on a usage error.
set -euo pipefail

# The regions the kernels mark, each with what it covers; a marker that disappears fails the run.
# Marked regions missing from the list are still modelled, and flagged as unlisted.
EXPECTED_REGIONS=(
  "conv2d_fwd_avx2|forward engine; backward-data runs the same loop"
  "conv2d_bwd_weights_avx2|backward-weights"
  "dense_gemm_avx2|gemm block, 6 x 16: dense1 fwd, bwd-weights, bwd-data (dy w^T, N >= 6)"
  "conv2d_fwd_avx512|forward engine (channel pairs on zmm); backward-data runs the same loop"
  "conv2d_fwd_cin3_avx512|forward, Cin 3 -> Cout 8 (conv1): tap pairs on zmm"
  "conv2d_bwd_weights_avx512|backward-weights (tap pairs on zmm)"
  "dense_gemm_8x32_avx512|gemm block, 8 x 32 (Out > 16): dense1 fwd, bwd-weights, bwd-data (N >= 8)"
  "dense_gemm_16x16_avx512|gemm block, 16 x 16 (Out <= 16): dense2 fwd and bwd-weights"
)

ISAS=(avx2 avx512)
CPUS=(icelake-server sapphirerapids znver4) # the first one also picks among a region's copies
# What each core's FP32 FMA units really do, in FMA instructions per cycle by vector width: Ice
# Lake SP and Sapphire Rapids have two 512-bit FMA ports (ports 0+1 fused, port 5); Zen 4 has two
# 256-bit FMA pipes and runs a 512-bit FMA on one of them in two passes.
declare -A FMA_PER_CYCLE=(
  [icelake-server:xmm]=2 [icelake-server:ymm]=2 [icelake-server:zmm]=2
  [sapphirerapids:xmm]=2 [sapphirerapids:ymm]=2 [sapphirerapids:zmm]=2
  [znver4:xmm]=2 [znver4:ymm]=2 [znver4:zmm]=1
)
declare -A LANES=([xmm]=4 [ymm]=8 [zmm]=16)
# Scheduling models, by the prefix llvm-mca gives their resources.
declare -A MODEL_NAMES=([SKX]="Skylake-server" [ICX]="Ice Lake server" [SPR]="Sapphire Rapids"
                        [Zn3]="Zen 3" [Zn4]="Zen 4")
ITERATIONS=1000 # simulated iterations per region: the pipeline's fill and drain fade to 0.1 %

# The Release build's flags for the kernels (CMake's CMAKE_C_FLAGS_RELEASE for GCC, C_STANDARD 11
# without extensions, POSITION_INDEPENDENT_CODE); the ISA flags are read from cmake/Isa.cmake.
RELEASE_FLAGS=(-O3 -DNDEBUG -fPIC -std=c11)

# FMA recognition, shared by every awk program below: fma_lanes(mnemonic, text) is the FMA's lane
# count (4, 8, 16 for xmm, ymm, zmm: the destination, the last vector register in AT&T syntax) or
# 0 when the instruction is no packed-single FMA. A masked FMA counts as all its lanes.
AWK_FMA='
function vec_width(text,   w) {
  w = ""
  while (match(text, /%[xyz]mm[0-9]+/)) {
    w = substr(text, RSTART + 1, 3)
    text = substr(text, RSTART + RLENGTH)
  }
  return w
}
function fma_lanes(mnemonic, text,   w) {
  if (mnemonic !~ /^vf(n?m(add|sub)|m(addsub|subadd))(132|213|231)ps$/) return 0
  w = vec_width(text)
  return w == "xmm" ? 4 : w == "ymm" ? 8 : w == "zmm" ? 16 : 0
}'

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=bench/mca/lib.sh
source "$ROOT/bench/mca/lib.sh"

die() {
  echo "run.sh: $*" >&2
  exit 1
}

# The header comment above, as help.
usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}

# Sets MCA, CC, OUT and TSV from the command line.
parse_args() {
  MCA="" CC=gcc OUT="" TSV=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --llvm-mca) MCA=${2:?--llvm-mca needs a path}; shift 2 ;;
      --cc) CC=${2:?--cc needs a path}; shift 2 ;;
      --out) OUT=${2:?--out needs a file}; shift 2 ;;
      --tsv) TSV=${2:?--tsv needs a file}; shift 2 ;;
      -h | --help) usage; exit 0 ;;
      *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
  done
}

# Resolves MCA and CC to executables, or stops with what to install.
check_tools() {
  if [ -z "$MCA" ]; then
    MCA=$(find_llvm_mca) || die "no llvm-mca found (apt-get install llvm-16, or --llvm-mca PATH)"
  fi
  command -v "$MCA" >/dev/null 2>&1 || die "llvm-mca '$MCA' not found"
  MCA=$(command -v "$MCA")
  command -v "$CC" >/dev/null 2>&1 ||
    die "compiler '$CC' not found (apt-get install gcc, or --cc PATH)"
  CC=$(command -v "$CC")
  MCA_VERSION=$("$MCA" --version | sed -n 's/^ *\(.*LLVM version [0-9.]*\).*/\1/p' | head -n 1)
  MCA_VERSION=${MCA_VERSION:-"llvm-mca of unknown version"}
  CC_VERSION=$("$CC" --version | head -n 1)
}

# The ISA's compile flags, as cmake/Isa.cmake sets CB_FLAGS_<ISA>.
isa_flags() {
  local isa=$1 flags
  flags=$(sed -n "s/^set(CB_FLAGS_${isa^^} \([^)]*\)).*/\1/p" "$ROOT/cmake/Isa.cmake")
  [ -n "$flags" ] || die "cmake/Isa.cmake sets no CB_FLAGS_${isa^^}"
  echo "$flags"
}

# Compiles every kernels/<isa>/*.c to WORK/asm/<isa>/<name>.s with the regions marked.
compile_kernels() {
  local isa src flags
  for isa in "${ISAS[@]}"; do
    mkdir -p "$WORK/asm/$isa"
    flags=$(isa_flags "$isa")
    read -r -a flags <<<"$flags"
    for src in "$ROOT"/kernels/"$isa"/*.c; do
      "$CC" "${RELEASE_FLAGS[@]}" "${flags[@]}" -DCB_MCA -I "$ROOT/kernels/include" \
        -I "$ROOT/kernels/$isa" -S -o "$WORK/asm/$isa/$(basename "$src" .c).s" "$src" ||
        die "$CC failed on ${src#"$ROOT"/}"
    done
  done
}

# Cuts every copy of every marked region out of the assembly (GCC duplicates a loop body when it
# unrolls, unswitches or inlines it: each copy is one region of the same name) into
# WORK/regions/<name>.<copy>.s, and lists them in WORK/regions.tsv:
#   name copy isa function source instructions fmas flop_per_iteration widest_fma_register
extract_regions() {
  local isa asm
  mkdir -p "$WORK/regions"
  : >"$WORK/regions.tsv"
  for isa in "${ISAS[@]}"; do
    for asm in "$WORK/asm/$isa"/*.s; do
      awk -v dir="$WORK/regions" -v isa="$isa" -v src="kernels/$isa/$(basename "$asm" .s).c" \
        -v list="$WORK/regions.tsv" "$AWK_FMA"'
        function fail(msg) { print src ": " msg > "/dev/stderr"; bad = 1; exit 1 }
        /^[A-Za-z_][A-Za-z0-9_.$]*:/ { fn = substr($1, 1, length($1) - 1) }
        /# LLVM-MCA-BEGIN/ {
          if (name != "") fail("region " $NF " begins inside region " name)
          name = $NF; copy = ++copies[name]; file = dir "/" name "." copy ".s"
          n = fmas = flop = wl = 0; widest = "-"
          next
        }
        # GCC also copies an END onto a side exit (a branch out of the body to its own copy of the
        # loop latch): an END outside a region closes nothing. What llvm-mca models is the text
        # from BEGIN to the first END, the body as laid out.
        /# LLVM-MCA-END/ && name == "" { next }
        /# LLVM-MCA-END/ {
          printf "%s\t%d\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n",
                 name, copy, isa, fn, src, n, fmas, flop, widest >> list
          close(file); name = ""
          next
        }
        name != "" {
          print > file
          if ($0 ~ /^\t[a-z]/) {
            n++
            lanes = fma_lanes($1, $0)
            if (lanes) fmas++
            flop += 2 * lanes
            if (lanes > wl) { wl = lanes; widest = vec_width($0) }
          }
        }
        END { if (!bad && name != "") fail("region " name " has no LLVM-MCA-END") }
      ' "$asm" || die "bad region markers in kernels/$isa/$(basename "$asm" .s).c"
    done
  done
}

# The names in EXPECTED_REGIONS, one a line.
expected_names() {
  local entry
  for entry in "${EXPECTED_REGIONS[@]}"; do echo "${entry%%|*}"; done
}

# Stops, listing expected and found regions, when an expected region is not in the assembly.
check_expected() {
  local missing found
  found=$(cut -f1 "$WORK/regions.tsv" | sort -u)
  missing=$(comm -23 <(expected_names | sort) <(echo "$found"))
  [ -z "$missing" ] && return 0
  {
    echo "run.sh: marked regions missing from the kernels' assembly"
    echo "  expected: $(expected_names | sort | paste -sd' ')"
    echo "  found:    $(echo "$found" | paste -sd' ')"
    echo "  missing:  $(echo "$missing" | paste -sd' ')"
  } >&2
  exit 1
}

# Runs llvm-mca for CPU on one assembly file; stops when llvm-mca fails or does not know the CPU.
run_mca() {
  local cpu=$1 file=$2 out=$3
  local status=0
  "$MCA" -mtriple=x86_64-unknown-linux-gnu -mcpu="$cpu" -iterations="$ITERATIONS" \
    -o "$out" "$file" 2>"$out.err" || status=$?
  if grep -q "not a recognized processor" "$out.err"; then
    die "$MCA_VERSION does not know -mcpu=$cpu: use llvm-mca 16 or newer (apt-get install llvm-16)"
  fi
  [ "$status" -eq 0 ] || die "llvm-mca failed on $file for $cpu: $(head -n 3 "$out.err")"
}

# Reads one llvm-mca report. Prints, tab-separated: cycles per iteration (simulated), the
# resource bound (the busiest resource's cycles per iteration), that bound with the FMAs' share of
# the FMA pipes scaled by the CPU's correction factors, the dispatch bound (uops / dispatch
# width), the busiest resources' names, and the common prefix of all resource names (the model).
# The factors and pipes come from calibrate(): factors of 1 leave the bound as it is.
parse_report() {
  local cpu=$1 report=$2
  awk -v fx="${FACTOR[$cpu:xmm]}" -v fy="${FACTOR[$cpu:ymm]}" -v fz="${FACTOR[$cpu:zmm]}" \
    -v pipes="${PIPES[$cpu]}" "$AWK_FMA"'
    BEGIN { np = split(pipes, p, " "); for (i = 1; i <= np; i++) is_pipe[p[i]] = 1 }
    /^Iterations:/ { iterations = $2 }
    /^Total Cycles:/ { cycles = $3 }
    /^Total uOps:/ { uops = $3 }
    /^Dispatch Width:/ { width = $3 }
    /^Resources:/ { section = "resources"; next }
    /^Resource pressure by instruction:/ { section = "header"; next }
    /^$/ { section = "" }
    section == "resources" && /^\[/ { names[++nres] = $3; next }
    section == "header" { ncol = NF - 1; section = "rows"; next }
    section == "rows" {
      text = $(ncol + 1); for (i = ncol + 2; i <= NF; i++) text = text " " $i
      lanes = fma_lanes($(ncol + 1), text)
      f = lanes == 4 ? fx : lanes == 8 ? fy : lanes == 16 ? fz : 1
      for (i = 1; i <= ncol; i++) {
        v = $i == "-" ? 0 : $i
        load[i] += v
        corrected[i] += (lanes && is_pipe[names[i]]) ? v / f : v
      }
    }
    END {
      bound = fixed = 0
      for (i = 1; i <= ncol; i++) {
        if (load[i] > bound) bound = load[i]
        if (corrected[i] > fixed) fixed = corrected[i]
      }
      busiest = ""
      for (i = 1; i <= ncol; i++)
        if (load[i] > bound - 0.005) busiest = busiest (busiest == "" ? "" : "+") names[i]
      prefix = names[1]
      for (i = 2; i <= nres; i++)
        while (prefix != "" && index(names[i], prefix) != 1)
          prefix = substr(prefix, 1, length(prefix) - 1)
      printf "%.4f\t%.4f\t%.4f\t%.4f\t%s\t%s\n",
             cycles / iterations, bound, fixed, uops / iterations / width, busiest, prefix
    }' "$report"
}

# Measures each CPU's model against FMA_PER_CYCLE: a block of 12 independent FMAs per vector width
# (more than latency x ports, so only the pipes limit it). Sets FACTOR[cpu:width] = real FMAs per
# cycle / modelled ones (1 where the model is right), PIPES[cpu] = the resources the FMAs occupy,
# and MODEL[cpu] = the prefix of the model's resource names.
calibrate() {
  local cpu width reg block report cycles bound fixed dispatch busiest prefix
  declare -gA FACTOR PIPES MODEL MODEL_RATE
  for cpu in "${CPUS[@]}"; do
    PIPES[$cpu]=""
    for width in xmm ymm zmm; do FACTOR[$cpu:$width]=1; done
    for width in xmm ymm zmm; do
      block="$WORK/calibrate.$width.s"
      for reg in $(seq 0 11); do
        echo "vfmadd231ps %${width}14, %${width}15, %${width}$reg"
      done >"$block"
      report="$WORK/calibrate.$cpu.$width.txt"
      run_mca "$cpu" "$block" "$report"
      IFS=$'\t' read -r cycles bound fixed dispatch busiest prefix \
        < <(parse_report "$cpu" "$report")
      MODEL_RATE[$cpu:$width]=$(awk -v b="$bound" 'BEGIN { printf "%.3g", 12 / b }')
      FACTOR[$cpu:$width]=$(awk -v m="${MODEL_RATE[$cpu:$width]}" \
        -v r="${FMA_PER_CYCLE[$cpu:$width]}" \
        'BEGIN { f = r / m; printf "%.4g", (f > 0.98 && f < 1.02) ? 1 : f }')
      PIPES[$cpu]+=" $(busy_resources "$report")"
    done
    PIPES[$cpu]=$(echo "${PIPES[$cpu]}" | tr ' ' '\n' | sort -u | paste -sd' ' | sed 's/^ //')
    MODEL[$cpu]=$prefix
  done
}

# The names of the resources an llvm-mca report shows any pressure on.
busy_resources() {
  awk '/^Resources:/ { on = 1; next }
       on && /^\[/ { name[$1] = $3; next }
       on && /^$/ { on = 0 }
       /^Resource pressure per iteration:/ {
         getline h; getline v; n = split(h, hl, " "); split(v, vl, " ")
         for (i = 1; i <= n; i++) if (vl[i] != "-") printf "%s ", name[hl[i]]
       }' "$1"
}

# True when the CPU's model needs correcting (some factor is not 1).
is_corrected() {
  local cpu=$1 width
  for width in xmm ymm zmm; do [ "${FACTOR[$cpu:$width]}" = 1 ] || return 0; done
  return 1
}

# Models every copy of region NAME with the most FLOP per iteration (the full register block) on
# the first CPU. Prints the fastest one's copy number (the first of equals), the full copies'
# count and their fastest and slowest cycles per iteration: the fastest is the hot shapes'
# specialised code, where the others are tails, edges or generic-shape fallbacks.
pick_copy() {
  local name=$1 copy cycles best="" fastest="" slowest="" count=0
  while read -r copy; do
    run_mca "${CPUS[0]}" "$WORK/regions/$name.$copy.s" "$WORK/pick.txt"
    cycles=$(parse_report "${CPUS[0]}" "$WORK/pick.txt" | cut -f1)
    count=$((count + 1))
    if [ -z "$best" ] || awk -v a="$cycles" -v b="$fastest" 'BEGIN { exit !(a < b - 0.0005) }'; then
      best=$copy fastest=$cycles
    fi
    if [ -z "$slowest" ] || awk -v a="$cycles" -v b="$slowest" 'BEGIN { exit !(a > b) }'; then
      slowest=$cycles
    fi
  done < <(awk -F'\t' -v n="$name" '$1 == n' "$WORK/regions.tsv" | sort -t$'\t' -k8,8nr -k2,2n |
           awk -F'\t' 'NR == 1 { top = $8 } $8 == top { print $2 }')
  printf "%s\t%s\t%s\t%s\n" "$best" "$count" "$fastest" "$slowest"
}

# Models the chosen copy of every region on every CPU into WORK/model.tsv:
#   name copy cpu cycles_simulated cycles_reported resource_bound busiest
# where cycles_reported is the simulated figure less the FMA-pipe cycles the model over-counts
# (see calibrate), never below the corrected resource bound or the dispatch bound; and the choice
# into WORK/picks.tsv: name copy full_copies fastest slowest (cycles per iteration, first CPU).
model_regions() {
  local name copy cpu report cycles bound fixed dispatch busiest prefix reported pick
  : >"$WORK/model.tsv"
  : >"$WORK/picks.tsv"
  while read -r -u 3 name; do
    pick=$(pick_copy "$name")
    copy=${pick%%$'\t'*}
    printf "%s\t%s\n" "$name" "$pick" >>"$WORK/picks.tsv"
    for cpu in "${CPUS[@]}"; do
      report="$WORK/model.$name.$cpu.txt"
      run_mca "$cpu" "$WORK/regions/$name.$copy.s" "$report"
      IFS=$'\t' read -r cycles bound fixed dispatch busiest prefix \
        < <(parse_report "$cpu" "$report")
      reported=$cycles
      if is_corrected "$cpu"; then
        reported=$(awk -v c="$cycles" -v b="$bound" -v f="$fixed" -v d="$dispatch" \
          'BEGIN { r = c - (b - f); if (r < f) r = f; if (r < d) r = d; printf "%.4f", r }')
      fi
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$name" "$copy" "$cpu" "$cycles" "$reported" "$bound" \
        "$busiest" >>"$WORK/model.tsv"
    done
  done 3< <(cut -f1 "$WORK/regions.tsv" | sort -u)
}

# FP32 FLOP per cycle of CPU's FMAs on registers of one width: that width's ceiling.
peak_flop() {
  local cpu=$1 width=$2
  local rate=${FMA_PER_CYCLE[$cpu:$width]} lanes=${LANES[$width]}
  echo $((rate * 2 * lanes))
}
# The core's FP32 peak, FLOP per cycle: its best width's ceiling.
core_peak() {
  local cpu=$1 width best=0 p
  for width in xmm ymm zmm; do
    p=$(peak_flop "$cpu" "$width")
    [ "$p" -gt "$best" ] && best=$p
  done
  echo "$best"
}

# A region's column in EXPECTED_REGIONS ("what it covers"), or the flag of an unlisted one.
region_note() {
  local name=$1 entry
  for entry in "${EXPECTED_REGIONS[@]}"; do
    [ "${entry%%|*}" = "$name" ] && { echo "${entry#*|}"; return; }
  done
  echo "**not in EXPECTED_REGIONS** (run.sh): add it to make its marker required"
}

# One line per region and CPU, what ctest.sh checks goals against:
#   region isa cpu cycles_per_iteration flop_per_cycle pct_of_core_peak pct_of_width_ceiling
write_tsv() {
  local name copy cpu cycles reported bound busiest isa flop width core ceil
  while IFS=$'\t' read -r name copy cpu cycles reported bound busiest; do
    IFS=$'\t' read -r isa flop width < <(awk -F'\t' -v n="$name" -v c="$copy" \
      '$1 == n && $2 == c { print $3 "\t" $8 "\t" $9 }' "$WORK/regions.tsv")
    core=$(core_peak "$cpu")
    ceil=$(peak_flop "$cpu" "$width")
    awk -v n="$name" -v i="$isa" -v cpu="$cpu" -v c="$reported" -v f="$flop" -v p="$core" \
      -v q="$ceil" 'BEGIN { r = f / c
        printf "%s\t%s\t%s\t%.2f\t%.2f\t%.1f\t%.1f\n", n, i, cpu, c, r, 100 * r / p, 100 * r / q }'
  done <"$WORK/model.tsv"
}

# The Markdown report: the table, then per region how it was chosen and what bounds it.
render_markdown() {
  local cpu name isa fmas width flop copies top copy fn src head sep note mark row fastest slowest
  echo "# llvm-mca throughput model of the kernels' hot loops"
  echo
  echo "- llvm-mca: $MCA_VERSION ($MCA), $ITERATIONS simulated iterations per region"
  echo "- compiler: $CC_VERSION; ${RELEASE_FLAGS[*]} -DCB_MCA and each ISA's CB_FLAGS from" \
    "cmake/Isa.cmake"
  for cpu in "${CPUS[@]}"; do
    mark=""
    is_corrected "$cpu" && mark=" (corrected: see †)"
    echo "- $cpu: scheduling model ${MODEL_NAMES[${MODEL[$cpu]}]:-${MODEL[$cpu]}}" \
      "(resources ${MODEL[$cpu]}*); peak $(core_peak "$cpu") FLOP/cycle FP32," \
      "ymm $(peak_flop "$cpu" ymm); modelled FMAs/cycle xmm/ymm/zmm" \
      "$(rates_text "$cpu" MODEL_RATE)$mark"
  done
  echo
  head="| region | ISA | FMAs/iter |"
  sep="|---|---|---|"
  for cpu in "${CPUS[@]}"; do
    mark=""
    is_corrected "$cpu" && mark="†"
    head+=" $cpu$mark cyc/iter | FLOP/cyc | % peak |"
    sep+="---:|---:|---:|"
  done
  echo "$head"
  echo "$sep"
  while IFS=$'\t' read -r name copy isa fn src _ fmas flop width; do
    row="| $name | $isa | $fmas × $width |"
    for cpu in "${CPUS[@]}"; do
      row+=$(awk -F'\t' -v n="$name" -v c="$cpu" -v f="$flop" -v p="$(core_peak "$cpu")" \
        -v q="$(peak_flop "$cpu" "$width")" -v w="$width" '$1 == n && $3 == c {
          r = f / $5; cell = sprintf(" %.2f | %.1f | %.0f%%", $5, r, 100 * r / p)
          if (q < p) cell = cell sprintf(" (%s %.0f%%)", w, 100 * r / q)
          print cell " |" }' "$WORK/model.tsv")
    done
    echo "$row"
  done < <(chosen_copies)
  echo
  echo "% peak: modelled FLOP/cycle over the core's FP32 FMA peak; in parentheses, over the" \
    "ceiling of the region's vector width where that is lower (ymm code on the 512-bit Intel" \
    "cores)." \
    "FLOP = 2 × lanes per FMA (xmm 4, ymm 8, zmm 16); a masked FMA counts as all its lanes."
  for cpu in "${CPUS[@]}"; do
    is_corrected "$cpu" || continue
    echo
    echo "† $cpu correction: llvm-mca's model does $(rates_text "$cpu" MODEL_RATE) FMAs/cycle" \
      "(xmm/ymm/zmm), the core does $(rates_text "$cpu" FMA_PER_CYCLE). Each FMA's pressure on" \
      "the FMA pipes (${PIPES[$cpu]}) is divided by that ratio; the reported cycles/iteration are" \
      "llvm-mca's simulated ones less the cycles this takes off the busiest resource (never below" \
      "the corrected resource bound or the dispatch bound). The simulation is not re-run:" \
      "dependency stalls that the faster pipes would expose are not added, so a corrected figure" \
      "can be optimistic."
  done
  echo
  echo "## Regions"
  echo
  echo "GCC emits several copies of a marked loop body (unrolling, loop unswitching, one per" \
    "inlined instantiation); the copy modelled is, among those with the most FLOP per iteration" \
    "(the full register block), the fastest on ${CPUS[0]}: the hot shapes' specialised code" \
    "rather than a tail, edge or generic-shape copy."
  echo
  echo "| region | covers | source | copies: all, full | full copies on ${CPUS[0]}, cyc/iter" \
    "| modelled copy | busiest resource and cyc/iter as llvm-mca simulated them (before any †" \
    "correction) |"
  echo "|---|---|---|---|---|---|---|"
  while IFS=$'\t' read -r name copy isa fn src _ fmas flop width; do
    copies=$(awk -F'\t' -v n="$name" '$1 == n' "$WORK/regions.tsv" | wc -l)
    IFS=$'\t' read -r _ _ top fastest slowest \
      < <(awk -F'\t' -v n="$name" '$1 == n' "$WORK/picks.tsv")
    note=$(awk -F'\t' -v n="$name" '$1 == n {
        printf "%s%s: %s %.2f", sep, $3, $7, $4; sep = "; " }' "$WORK/model.tsv")
    printf "| %s | %s | %s | %s, %s | %.2f to %.2f | #%s, in %s | %s |\n" "$name" \
      "$(region_note "$name")" "$src" "$copies" "$top" "$fastest" "$slowest" "$copy" "$fn" "$note"
  done < <(chosen_copies)
}

# "a/b/c": an array's xmm/ymm/zmm entries for CPU.
rates_text() {
  local cpu=$1
  local -n rates=$2
  echo "${rates[$cpu:xmm]}/${rates[$cpu:ymm]}/${rates[$cpu:zmm]}"
}

# The regions.tsv lines of the copies that were modelled, in name order.
chosen_copies() {
  awk -F'\t' 'NR == FNR { if ($3 == first) chosen[$1 "\t" $2] = 1; next }
              ($1 "\t" $2) in chosen' first="${CPUS[0]}" "$WORK/model.tsv" "$WORK/regions.tsv" |
    sort -t$'\t' -k1,1
}

main() {
  parse_args "$@"
  check_tools
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/cb-mca.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  compile_kernels
  extract_regions
  check_expected
  calibrate
  model_regions
  render_markdown >"$WORK/report.md"
  cat "$WORK/report.md"
  if [ -n "$OUT" ]; then cp "$WORK/report.md" "$OUT"; fi
  if [ -n "$TSV" ]; then write_tsv >"$TSV"; fi
}

main "$@"
