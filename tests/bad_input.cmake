# The bad-input suite: every command given absurd numbers, empty and repeated options, devices,
# FIFOs, directories, dangling links and unwritable or vanishing paths where files are expected,
# and truncated or corrupt files of every format (CIFAR batch, model file, variant file, iris CSV,
# result JSON). Each case (bad_input_case.sh) must exit 1 or 2 with a message naming the problem,
# by itself (no signal), within 20 s (FIFOs must not block), and leave nothing behind: its
# directory holds afterwards exactly what it held before, no PATH.tmp.* appears, and a device or
# FIFO given as output is still one. Tests run as root, so "unwritable" is a path under a regular
# file (f/x), under /proc, or a directory removed while the command runs (--vanish).
#
#   cb_bad(NAME EXPECT REGEX [driver options] -- ARGS...)
#     runs cifarbench ARGS in bad_input/cases/NAME (relative paths are there); "@EMPTY@" stands
#     for an empty argument (CMake drops empty list elements). Driver options: bad_input_case.sh.
#
# Shared fixtures (${F}, made by bad_input_setup.sh at test time, a few KiB in all) are listed in
# that script.

# The driver and the fixtures need bash and coreutils' timeout (mkfifo, dd, awk, pgrep): without
# them the suite is left out, and says so.
find_program(CB_BASH bash)
find_program(CB_TIMEOUT timeout)
find_program(CB_PGREP pgrep)
if(NOT CB_BASH OR NOT CB_TIMEOUT OR NOT CB_PGREP)
  message(STATUS "bad-input suite left out: it needs bash, timeout and pgrep")
  return()
endif()

set(bi_root ${CMAKE_CURRENT_BINARY_DIR}/bad_input)
set(F ${bi_root}/fixtures)
set(R ${CMAKE_CURRENT_SOURCE_DIR}/data/reports)
set(A ${R}/train_scalar.json) # a good result file
add_test(NAME bad/setup
         COMMAND ${CB_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/bad_input_setup.sh $<TARGET_FILE:cifarbench>
                 ${CMAKE_CURRENT_SOURCE_DIR} ${F})
set_tests_properties(bad/setup PROPERTIES FIXTURES_SETUP bad_input TIMEOUT 60 LABELS bad_input)

function(cb_bad name expect regex)
  set(args ${ARGN})
  list(FIND args "--" at)
  if(at LESS 0)
    message(FATAL_ERROR "cb_bad(${name}): no -- before the arguments")
  endif()
  math(EXPR at "${at} + 1")
  list(INSERT args ${at} $<TARGET_FILE:cifarbench>)
  add_test(NAME bad/${name}
           COMMAND ${CB_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/bad_input_case.sh ${bi_root}/cases/${name}
                   ${expect} ${regex} ${args})
  set_tests_properties(bad/${name} PROPERTIES FIXTURES_REQUIRED bad_input TIMEOUT 40
                       LABELS bad_input FAIL_REGULAR_EXPRESSION "^FAIL:")
endfunction()

set(dev_full --tmp-free /dev/full --kind /dev/full:c)
set(no_work --not "img/s") # a progress line: training ran although a check should have stopped it

# ---- train: numbers and empty or repeated options (exit 2) ----------------------------------
cb_bad(train_epochs_zero 2 "--epochs takes a whole number" -- train --epochs 0)
cb_bad(train_batch_leading_space 2 "--batch takes a whole number" -- train --batch " 5")
cb_bad(train_epochs_negative 2 "--epochs takes" -- train --epochs -3)
cb_bad(train_epochs_overflow 2 "--epochs takes" -- train --epochs 99999999999999999999)
cb_bad(train_epochs_1e999 2 "--epochs takes.*1e999" -- train --epochs 1e999)
cb_bad(train_epochs_word 2 "--epochs takes.*'many'" -- train --epochs many)
cb_bad(train_epochs_empty 2 "--epochs takes" -- train --epochs @EMPTY@)
cb_bad(train_batch_huge 2 "--batch takes" -- train --batch 65537)
cb_bad(train_seed_overflow 2 "--seed takes" -- train --seed 18446744073709551616)
cb_bad(train_task_empty 2 "--task ''" -- train --task @EMPTY@)
cb_bad(train_loss_empty 2 "--loss '' does not fit" -- train --loss @EMPTY@)
cb_bad(train_repeated_last_wins 2 "--epochs takes.*'0'" -- train --epochs 1 --epochs 0)
cb_bad(train_repeated_json 1 "cannot write .*/dir: it is a directory" ${no_work}
       -- train --json ok.json --json ${F}/dir)
cb_bad(top_empty_command 2 "unknown command ''" -- @EMPTY@)

# ---- train --json / --save: outputs that cannot be written, refused before any work -----------
cb_bad(train_json_empty 2 "--json needs a file name" -- train --json @EMPTY@)
cb_bad(train_json_dir 1 "cannot write out: it is a directory" --mkdir out --kind out:d ${no_work}
       -- train --json out)
cb_bad(train_json_dev_full 1 "cannot write /dev/full: it is a character device" ${dev_full}
       -- train --json /dev/full)
cb_bad(train_json_fifo 1 "out.json: it is a FIFO" --fifo out.json --kind out.json:p
       -- train --json out.json)
cb_bad(train_json_dangling 1 "out.json: it is a dangling symbolic link" --link gone/x.json out.json
       --kind out.json:l --absent gone -- train --json out.json)
cb_bad(train_json_link_to_device 1 "symbolic link to /dev/full, which is a character device"
       --link /dev/full out.json --kind out.json:l ${dev_full} -- train --json out.json)
cb_bad(train_json_under_file 1 "f/x.json: Not a directory" --touch f -- train --json f/x.json)
cb_bad(train_json_proc 1 "cannot write /proc/cifarbench.json" -- train --json /proc/cifarbench.json)
cb_bad(train_json_no_dir 1 "no directory missing" --absent missing -- train --json missing/out.json)
cb_bad(train_json_trailing_slash 1 "ends in '/'" -- train --json out.json/)
cb_bad(train_json_vanished 1 "cannot write out/r.json: no directory out" --mkdir out --vanish out
       -- train --images 1024 --test-images 64 --epochs 4 --threads 1 --json out/r.json)
cb_bad(train_save_empty 2 "--save needs a file name" -- train --save @EMPTY@)
cb_bad(train_save_dir 1 "cannot write m: it is a directory" --mkdir m ${no_work} -- train --save m)
cb_bad(train_save_dev_full 1 "/dev/full: it is a character device" ${dev_full}
       -- train --save /dev/full)
cb_bad(train_save_fifo 1 "m.cbm: it is a FIFO" --fifo m.cbm --kind m.cbm:p -- train --save m.cbm)
cb_bad(train_save_under_file 1 "f/m.cbm: Not a directory" --touch f -- train --save f/m.cbm)
cb_bad(train_save_same_as_json 2 "--save and --json name the same file" --absent r.json
       -- train --save r.json --json ./r.json)
cb_bad(train_save_vanished 1 "cannot write out/m.cbm: no directory out" --mkdir out --vanish out
       -- train --images 1024 --test-images 64 --epochs 4 --threads 1 --save out/m.cbm)
cb_bad(train_save_regression 2 "--save does not apply to --task regression"
       -- train --task regression --save m.cbm)

# ---- train --data: CIFAR-10 directories and batch files that cannot be used (exit 1) ------------
cb_bad(train_data_empty 2 "--data needs a directory" -- train --data @EMPTY@)
cb_bad(train_data_missing 1 "no-such-dir/data_batch_1.bin: cannot open" -- train --data no-such-dir)
cb_bad(train_data_is_file 1 "afile: not a directory" -- train --data ${F}/afile)
cb_bad(train_data_is_fifo 1 "fifo: not a directory" -- train --data ${F}/fifo)
cb_bad(train_data_batch_fifo 1 "data_batch_1.bin: it is a FIFO" -- train --data ${F}/cifar-fifo)
cb_bad(train_data_batch_dev_zero 1 "data_batch_1.bin: it is a character device"
       -- train --data ${F}/cifar-zero)
cb_bad(train_data_batch_dir 1 "data_batch_1.bin: it is a directory" -- train --data ${F}/cifar-dir)
cb_bad(train_data_batch_dangling 1 "data_batch_1.bin: cannot open: it is a dangling symbolic link"
       -- train --data ${F}/cifar-dangling)
cb_bad(train_data_batch_truncated 1 "truncated record: size 6246 bytes"
       -- train --data ${F}/cifar-truncated)
cb_bad(train_data_batch_small 1 "wrong size: expected 30730000 bytes" -- train --data ${F}/cifar-small)
cb_bad(train_data_batches_missing 1 "data_batch_1.bin: cannot open: No such file"
       -- train --data ${F}/cifar-none)
cb_bad(train_data_env_fifo 1 "CIFARBENCH_DATA.*data_batch_1.bin: it is a FIFO"
       --env CIFARBENCH_DATA=${F}/cifar-fifo -- train)

# ---- train --load: model files (checked before the data is loaded) -----------------------------
cb_bad(train_load_empty 2 "--load needs a file name" -- train --load @EMPTY@)
cb_bad(train_load_dev_zero 1 "/dev/zero: it is a character device" ${no_work} -- train --load /dev/zero)
cb_bad(train_load_fifo 1 "fifo: it is a FIFO" -- train --load ${F}/fifo)
cb_bad(train_load_dir 1 "dir: it is a directory" -- train --load ${F}/dir)
cb_bad(train_load_dangling 1 "dangling: cannot open: it is a dangling" -- train --load ${F}/dangling)
cb_bad(train_load_truncated 1 "model-truncated.cbm: truncated: 1000 bytes"
       -- train --load ${F}/model-truncated.cbm)
cb_bad(train_load_corrupt 1 "checksum mismatch" -- train --load ${F}/model-corrupt.cbm)
cb_bad(train_load_trailing 1 "trailing bytes: 70337 bytes" -- train --load ${F}/model-trailing.cbm)
cb_bad(train_load_version 1 "unsupported model file version 9" -- train --load ${F}/model-version.cbm)
cb_bad(train_load_huge_header 1 "truncated: 70336 bytes, but its header describes a file of"
       -- train --load ${F}/model-huge-header.cbm)
cb_bad(train_load_text 1 "not a cifarbench model file" -- train --load ${F}/model-text.cbm)
cb_bad(train_load_empty_file 1 "model-empty.cbm: empty file" -- train --load ${F}/model-empty.cbm)
cb_bad(train_load_other_network 1 "saved from a different network: head"
       -- train --load ${F}/model-binary.cbm)

# ---- train --variants: variant files (exit 2, as every variant-file problem) --------------------
cb_bad(train_variants_empty_arg 2 "--variants needs a file name" -- train --variants @EMPTY@)
cb_bad(train_variants_fifo 2 "fifo: it is a FIFO" -- train --variants ${F}/fifo)
cb_bad(train_variants_dev_zero 2 "/dev/zero: it is a character device" -- train --variants /dev/zero)
cb_bad(train_variants_empty 2 "var-empty.txt: empty file" -- train --variants ${F}/var-empty.txt)
cb_bad(train_variants_garbage 2 "var-garbage.txt:1: a NUL byte|var-garbage.txt:1: not a variant file"
       -- train --variants ${F}/var-garbage.txt)
cb_bad(train_variants_nul 2 "var-nul.txt:2: a NUL byte" -- train --variants ${F}/var-nul.txt)
cb_bad(train_variants_bad_isa 2 "var-bad-isa.txt:2: unknown ISA 'sse9'"
       -- train --variants ${F}/var-bad-isa.txt)
cb_bad(train_variants_header_only 2 "kernel '[a-z0-9_]+' is missing"
       -- train --variants ${F}/var-header-only.txt)
# A 272-byte comment is one comment: its tail past byte 256 is not read as "conv9x9_fwd avx2".
cb_bad(train_variants_long_comment 2 "kernel '[a-z0-9_]+' is missing" --not "unknown kernel"
       -- train --variants ${F}/var-long-comment.txt)

# ---- train --task regression: the iris CSV ---------------------------------------------------------
set(reg train --task regression)
cb_bad(regression_csv_fifo 1 "fifo: it is a FIFO" -- ${reg} --data ${F}/fifo)
cb_bad(regression_csv_dev_zero 1 "/dev/zero: it is a character device" -- ${reg} --data /dev/zero)
cb_bad(regression_csv_dir 1 "dir: it is a directory" -- ${reg} --data ${F}/dir)
cb_bad(regression_csv_truncated 1 "iris-truncated.csv: 49 rows, expected 150"
       -- ${reg} --data ${F}/iris-truncated.csv)
cb_bad(regression_csv_long_line 1 "iris-long-line.csv:10: expected"
       -- ${reg} --data ${F}/iris-long-line.csv)
cb_bad(regression_csv_long_line_ok 0 "MAE fit: final loss" -- ${reg} --data ${F}/iris-long-ok.csv)
cb_bad(regression_csv_nan 1 "iris-nan.csv:20: expected" -- ${reg} --data ${F}/iris-nan.csv)
cb_bad(regression_csv_1e999 1 "iris-huge.csv:30: expected" -- ${reg} --data ${F}/iris-huge.csv)
cb_bad(regression_csv_twice 1 "iris-too-many.csv:152: expected" -- ${reg} --data ${F}/iris-too-many.csv)
cb_bad(regression_csv_garbage 1 "iris-garbage.csv:1: expected the header"
       -- ${reg} --data ${F}/iris-garbage.csv)
cb_bad(regression_json_dir 1 "cannot write out: it is a directory" --mkdir out -- ${reg} --json out)
cb_bad(regression_json_dev_full 1 "/dev/full: it is a character device" ${dev_full}
       -- ${reg} --json /dev/full)
cb_bad(regression_loss_empty 2 "--loss '' with --task regression" -- ${reg} --loss @EMPTY@)

# ---- scale -----------------------------------------------------------------------------------------
cb_bad(scale_repetitions_zero 2 "--repetitions takes" -- scale --repetitions 0)
cb_bad(scale_repetitions_1e999 2 "--repetitions takes" -- scale --repetitions 1e999)
cb_bad(scale_task_regression 2 "--task 'regression' is not one this command runs: use classify, binary or multilabel"
       -- scale --task regression)
cb_bad(scale_json_dir 1 "cannot write out: it is a directory" --mkdir out --not "run 1/"
       -- scale --json out)
cb_bad(scale_json_dev_full 1 "/dev/full: it is a character device" ${dev_full} -- scale --json /dev/full)
cb_bad(scale_json_fifo 1 "s.json: it is a FIFO" --fifo s.json --kind s.json:p -- scale --json s.json)
cb_bad(scale_data_batch_fifo 1 "data_batch_1.bin: it is a FIFO" -- scale --data ${F}/cifar-fifo)

# ---- study -----------------------------------------------------------------------------------------
cb_bad(study_every_zero 2 "--every takes" -- study --every 0)
cb_bad(study_task_multilabel 2 "--task 'multilabel' is not one this command runs: use classify or binary"
       -- study --task multilabel)
cb_bad(study_out_empty 2 "--out needs a directory name" -- study --out @EMPTY@)
cb_bad(study_out_file 1 "--out out: it exists and is a regular file, not a directory"
       --touch out --kind out:f --not "sigmoid-mse" -- study --out out)
cb_bad(study_out_fifo 1 "--out out: it exists and is a FIFO" --fifo out --kind out:p -- study --out out)
cb_bad(study_out_dev_full 1 "--out /dev/full: it exists and is a character device" ${dev_full}
       -- study --out /dev/full)
cb_bad(study_out_under_file 1 "--out f/x: Not a directory" --touch f -- study --out f/x)
cb_bad(study_out_proc 1 "cannot create a directory in /proc" -- study --out /proc/cifarbench-study)
cb_bad(study_out_dangling 1 "--out out: it is a dangling symbolic link" --link gone out --absent gone
       -- study --out out)
cb_bad(study_out_json_is_dir 1 "out/study.json: it is a directory" --mkdir out/study.json
       -- study --out out)
cb_bad(study_json_dir 1 "cannot write j: it is a directory" --mkdir j --absent out -- study --json j)
cb_bad(study_json_dev_full 1 "/dev/full: it is a character device" ${dev_full} --absent out
       -- study --json /dev/full)
cb_bad(study_json_vanished 1 "cannot write v/j.json: no directory v" --mkdir v --vanish v --absent s
       -- study --images 1024 --test-images 64 --epochs 2 --threads 1 --out s --json v/j.json)

# ---- tune ------------------------------------------------------------------------------------------
set(no_timing --not "fastest") # the table's header: the timing started
cb_bad(tune_out_empty 2 "--out needs a file name" -- tune --out @EMPTY@)
cb_bad(tune_out_dir 1 "cannot write v: it is a directory" --mkdir v ${no_timing} -- tune --out v)
cb_bad(tune_out_dev_full 1 "/dev/full: it is a character device" ${dev_full} ${no_timing}
       -- tune --out /dev/full)
cb_bad(tune_out_fifo 1 "v.txt: it is a FIFO" --fifo v.txt --kind v.txt:p ${no_timing} -- tune --out v.txt)
cb_bad(tune_out_dangling 1 "v.txt: it is a dangling symbolic link" --link gone v.txt ${no_timing}
       -- tune --out v.txt)
cb_bad(tune_out_under_file 1 "f/v.txt: Not a directory" --touch f ${no_timing} -- tune --out f/v.txt)
cb_bad(tune_out_proc 1 "cannot write /proc/cifarbench-variants.txt" ${no_timing}
       -- tune --out /proc/cifarbench-variants.txt)
cb_bad(tune_operand 2 "unexpected argument 'now'" -- tune now)
cb_bad(tune_max_isa_bogus 2 "CIFARBENCH_MAX_ISA 'sse9'" --env CIFARBENCH_MAX_ISA=sse9 -- tune)

# ---- report (reports/) -----------------------------------------------------------------------------
cb_bad(report_out_empty 2 "--out needs a directory" -- report ${A} --out @EMPTY@)
cb_bad(report_out_file 1 "--out out exists and is not a directory" --touch out --kind out:f
       -- report ${A} --out out)
cb_bad(report_out_dev_full 1 "--out /dev/full exists and is not a directory" ${dev_full}
       -- report ${A} --out /dev/full)
cb_bad(report_out_under_file 1 "f/r: Not a directory" --touch f -- report ${A} --out f/r)
cb_bad(report_in_dir 1 "dir: " --absent r -- report ${F}/dir --out r)
cb_bad(report_in_dangling 1 "dangling: cannot open" --absent r -- report ${F}/dangling --out r)
cb_bad(report_in_truncated 1 "res-truncated.json:[0-9]+:[0-9]+: " --absent r
       -- report ${F}/res-truncated.json --out r)
cb_bad(report_in_garbage 1 "res-garbage.json:[0-9]+:[0-9]+: " --absent r
       -- report ${F}/res-garbage.json --out r)
cb_bad(report_in_nul 1 "res-nul.json:" --absent r -- report ${F}/res-nul.json --out r)
cb_bad(report_in_empty 1 "res-empty.json:" --absent r -- report ${F}/res-empty.json --out r)
cb_bad(report_in_fifo 1 "fifo: .*FIFO" --absent r -- report ${F}/fifo --out r)
cb_bad(report_in_dev_zero 1 "/dev/zero: .*character device" --absent r
       -- report /dev/zero --out r)

# ---- compare (reports/) ----------------------------------------------------------------------------
cb_bad(compare_threshold_negative 2 "--threshold takes" -- compare ${A} ${A} --threshold -1)
cb_bad(compare_threshold_1e999 2 "--threshold takes" -- compare ${A} ${A} --threshold 1e999)
cb_bad(compare_alpha_zero 2 "--alpha takes" -- compare ${A} ${A} --alpha 0)
cb_bad(compare_three_files 2 "'${A}' is a third" -- compare ${A} ${A} ${A})
cb_bad(compare_no_files 2 "two files" -- compare)
cb_bad(compare_dir 1 "dir: " -- compare ${F}/dir ${A})
cb_bad(compare_dangling 1 "dangling: cannot open" -- compare ${A} ${F}/dangling)
cb_bad(compare_truncated 1 "res-truncated.json:[0-9]+:[0-9]+: " -- compare ${F}/res-truncated.json ${A})
cb_bad(compare_empty 1 "res-empty.json:" -- compare ${A} ${F}/res-empty.json)
cb_bad(compare_fifo 1 "fifo: .*FIFO" -- compare ${F}/fifo ${A})
cb_bad(compare_dev_zero 1 "/dev/zero: .*character device" -- compare ${A} /dev/zero)

# ---- record, history (reports/) -------------------------------------------------------------------
# Every file is checked before the database is opened: a refused call creates no database.
cb_bad(record_no_files 2 "no result files" -- record)
cb_bad(record_db_empty 2 "--db needs a file" -- record ${A} --db @EMPTY@)
cb_bad(record_machine_empty 2 "--machine takes a non-empty name" -- record ${A} --machine @EMPTY@)
cb_bad(record_db_dir 1 "d: not a regular file" --mkdir d --kind d:d -- record ${A} --db d)
cb_bad(record_db_fifo 1 "h.db: not a regular file" --fifo h.db --kind h.db:p -- record ${A} --db h.db)
cb_bad(record_db_dev_full 1 "/dev/full: not a regular file" ${dev_full} -- record ${A} --db /dev/full)
cb_bad(record_db_under_file 1 "f/h.db: cannot open" --touch f -- record ${A} --db f/h.db)
cb_bad(record_db_garbage 1 "h.db: .*not a" --text h.db "not an SQLite file, only text, but long enough"
       --text copy "not an SQLite file, only text, but long enough" --same h.db copy
       -- record ${A} --db h.db)
cb_bad(record_in_truncated 1 "res-truncated.json:[0-9]+:[0-9]+: "
       -- record ${A} ${F}/res-truncated.json --db h.db)
cb_bad(record_in_fifo 1 "fifo: .*FIFO" -- record ${A} ${F}/fifo --db h.db)
cb_bad(record_in_dev_zero 1 "/dev/zero: .*character device" -- record /dev/zero --db h.db)
cb_bad(record_study 1 "a study result holds no timings" -- record ${R}/study.json --db h.db)
cb_bad(record_regression 1 "a regression result holds no timings" -- record ${R}/regression.json --db h.db)
cb_bad(record_newer_schema 1 "schema_version: .*newer" -- record ${A} ${R}/newer_schema.json --db h.db)
cb_bad(history_no_mode 2 "say what to do" -- history)
cb_bad(history_two_modes 2 "exclusive" -- history --list --out r)
cb_bad(history_operand 2 "unexpected argument 'x'" -- history --list x)
cb_bad(history_db_empty 2 "--db needs a file" -- history --list --db @EMPTY@)
cb_bad(history_threshold_negative 2 "--threshold takes" -- history --check --threshold -1)
cb_bad(history_alpha_one 2 "--alpha takes" -- history --check --alpha 1)
cb_bad(history_permutations_few 2 "--permutations takes" -- history --check --permutations 5)
cb_bad(history_min_size_one 2 "--min-size takes" -- history --check --min-size 1)
cb_bad(history_check_no_db 2 "h.db: no history database here" -- history --check --db h.db)
cb_bad(history_list_no_db 1 "h.db: no history database here" -- history --list --db h.db)
cb_bad(history_out_no_db 1 "h.db: no history database here" --absent r -- history --out r --db h.db)
cb_bad(history_db_fifo 2 "h.db: not a regular file" --fifo h.db --kind h.db:p -- history --check --db h.db)
cb_bad(history_db_dev_zero 1 "/dev/zero: not a regular file" -- history --list --db /dev/zero)

# ---- cpu -------------------------------------------------------------------------------------------
cb_bad(cpu_operand 2 "unexpected argument 'now'" -- cpu now)
cb_bad(cpu_unknown_option 2 "unknown option '--frobnicate'" -- cpu --frobnicate)
cb_bad(cpu_max_isa_auto 2 "CIFARBENCH_MAX_ISA 'auto'" --env CIFARBENCH_MAX_ISA=auto -- cpu)

# ---- accepted: what the refusals above must not break --------------------------------------------
set(tiny --images 256 --test-images 32)
# A symbolic link is written through: the link stays, the file it points to gets the results.
cb_bad(train_json_through_symlink 0 "results +out.json" --text real.json old --link real.json out.json
       --kind out.json:l --kind real.json:f --tmp-free real.json --same out.json real.json
       -- train ${tiny} --json out.json)
# study --json FILE writes the study's result, the same JSON as DIR/study.json; --out DIR is
# created with its missing parents.
cb_bad(study_json_written 0 "results +s/a/study.json, s/a/study.svg, j.json" --exists s/a/study.svg
       --same j.json s/a/study.json -- study ${tiny} --every 2 --out s/a --json j.json)
# --help lists only the tasks a command accepts.
cb_bad(study_help_tasks 0 "binary cross-entropy \\(default\\)" --not "regression|multilabel"
       -- study --help)
cb_bad(scale_help_tasks 0 "--task NAME +classify: 10 classes, softmax \\+ cross-entropy \\(default\\)"
       --not "regression" -- scale --help)
# Fewer images than one batch: no per-layer table of zeros, but why there is none.
cb_bad(train_fewer_images_than_batch 0 "per layer: no full step ran \\(7 images < batch 32\\)"
       -- train --images 7 --test-images 8)
