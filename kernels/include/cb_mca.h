/*
 * cb_mca.h - marks a kernel's hot loop for llvm-mca (bench/mca/run.sh). Inside the loop body:
 *
 *   for (...) {
 *       CB_MCA_BEGIN("conv_fwd_avx512");
 *       ... one iteration ...
 *       CB_MCA_END();
 *   }
 *
 * Only a build with -DCB_MCA (the script's, to assembly) emits the "# LLVM-MCA-BEGIN name" /
 * "# LLVM-MCA-END" comments llvm-mca reads as a region; everywhere else the macros are empty, so
 * the markers cannot change the code that is shipped and timed.
 */
#ifndef CB_MCA_H
#define CB_MCA_H

#ifdef CB_MCA
#define CB_MCA_BEGIN(name) __asm__ volatile("# LLVM-MCA-BEGIN " name)
#define CB_MCA_END() __asm__ volatile("# LLVM-MCA-END")
#else
#define CB_MCA_BEGIN(name) ((void)0)
#define CB_MCA_END() ((void)0)
#endif

#endif /* CB_MCA_H */
