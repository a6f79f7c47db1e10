/* isa_peak.c - per-core throughput of the instructions the quantized kernels
 * are built from, and the speed ceilings they put on the benchmark's targets.
 *
 *   cc -O2 -mavx2 -mfma bench/isa_peak.c -o isa_peak
 *   ./isa_peak [MEMBW_GBPS]
 *
 * Each loop runs 12 independent chains of one 256-bit instruction (12 covers
 * latency x throughput on current x86 cores), in inline assembly so that the
 * compiler cannot merge or drop them; the best of 7 passes is kept. The
 * clock is estimated from a chain of dependent 64-bit adds (one cycle each).
 * Prints one line per probe:
 *
 *   isa_peak: NAME per_ns=X per_cycle=Y
 *
 * then the derived ceilings (see bench/README.md):
 *   - fp32 FMA MACs per ns against exact int8 (vpmaddwd, 16 products per
 *     instruction) and saturating u8 x s8 (vpmaddubsw + vpmaddwd + vpaddd,
 *     32 products per three instructions) MACs per ns: how much faster than
 *     fp32 an int8 GEMM can be on this core;
 *   - W4A16 decode: float activations need at least one multiply-add per
 *     weight, 16 per 8 bytes of 4-bit weight, so one core can consume at
 *     most fma_per_ns * 8 lanes / 2 weights per byte GB/s of weight; with
 *     MEMBW_GBPS (one thread's measured read bandwidth) that is printed as a
 *     percentage.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ITERS 2000000L
#define PASSES 7

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 12 independent `OP ymm12, ymm13, ymmI` (AT&T: src2, src1, dst). */
#define TWELVE(OP)                                                             \
  OP " %%ymm12, %%ymm13, %%ymm0\n\t" OP " %%ymm12, %%ymm13, %%ymm1\n\t" OP     \
     " %%ymm12, %%ymm13, %%ymm2\n\t" OP " %%ymm12, %%ymm13, %%ymm3\n\t" OP     \
     " %%ymm12, %%ymm13, %%ymm4\n\t" OP " %%ymm12, %%ymm13, %%ymm5\n\t" OP     \
     " %%ymm12, %%ymm13, %%ymm6\n\t" OP " %%ymm12, %%ymm13, %%ymm7\n\t" OP     \
     " %%ymm12, %%ymm13, %%ymm8\n\t" OP " %%ymm12, %%ymm13, %%ymm9\n\t" OP     \
     " %%ymm12, %%ymm13, %%ymm10\n\t" OP " %%ymm12, %%ymm13, %%ymm11\n\t"

#define CLOBBERS                                                               \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",      \
      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "cc"

#define PROBE(NAME, BODY, PER_ITER)                                            \
  static double NAME(void) {                                                   \
    double best = 1e30;                                                        \
    for (int pass = 0; pass < PASSES; ++pass) {                                \
      long n = ITERS;                                                          \
      double t0 = now();                                                       \
      __asm__ volatile("vpxor %%xmm12, %%xmm12, %%xmm12\n\t"                   \
                       "vpxor %%xmm13, %%xmm13, %%xmm13\n\t"                   \
                       "1:\n\t" BODY "dec %0\n\t"                              \
                       "jnz 1b\n\t"                                            \
                       : "+r"(n)                                               \
                       :                                                       \
                       : CLOBBERS);                                            \
      double t = now() - t0;                                                   \
      if (t < best)                                                            \
        best = t;                                                              \
    }                                                                          \
    return (double)ITERS * (PER_ITER) / best * 1e-9;                           \
  }

PROBE(fmaPerNs, TWELVE("vfmadd231ps"), 12)
PROBE(maddwdPerNs, TWELVE("vpmaddwd"), 12)
PROBE(maddubswPerNs, TWELVE("vpmaddubsw"), 12)
/* The saturating u8 x s8 step as MLAS and oneDNN run it on AVX2: products
 * in i16 pairs, widened by vpmaddwd with ones, added into i32. Four chains,
 * 3 instructions each; counted in vpmaddubsw (32 products) per ns. */
PROBE(u8s8StepPerNs,
      "vpmaddubsw %%ymm12, %%ymm13, %%ymm0\n\t"
      "vpmaddubsw %%ymm12, %%ymm13, %%ymm1\n\t"
      "vpmaddubsw %%ymm12, %%ymm13, %%ymm2\n\t"
      "vpmaddubsw %%ymm12, %%ymm13, %%ymm3\n\t"
      "vpmaddwd %%ymm0, %%ymm13, %%ymm4\n\t"
      "vpmaddwd %%ymm1, %%ymm13, %%ymm5\n\t"
      "vpmaddwd %%ymm2, %%ymm13, %%ymm6\n\t"
      "vpmaddwd %%ymm3, %%ymm13, %%ymm7\n\t"
      "vpaddd %%ymm4, %%ymm8, %%ymm8\n\t"
      "vpaddd %%ymm5, %%ymm9, %%ymm9\n\t"
      "vpaddd %%ymm6, %%ymm10, %%ymm10\n\t"
      "vpaddd %%ymm7, %%ymm11, %%ymm11\n\t",
      4)
/* The exact step of llmo's int8 kernel: vpmaddwd of i16 activations and
 * widened weights, added into i32 (6 chains, 2 instructions each). */
PROBE(exactStepPerNs,
      "vpmaddwd %%ymm12, %%ymm13, %%ymm0\n\t"
      "vpmaddwd %%ymm12, %%ymm13, %%ymm1\n\t"
      "vpmaddwd %%ymm12, %%ymm13, %%ymm2\n\t"
      "vpmaddwd %%ymm12, %%ymm13, %%ymm3\n\t"
      "vpmaddwd %%ymm12, %%ymm13, %%ymm4\n\t"
      "vpmaddwd %%ymm12, %%ymm13, %%ymm5\n\t"
      "vpaddd %%ymm0, %%ymm6, %%ymm6\n\t"
      "vpaddd %%ymm1, %%ymm7, %%ymm7\n\t"
      "vpaddd %%ymm2, %%ymm8, %%ymm8\n\t"
      "vpaddd %%ymm3, %%ymm9, %%ymm9\n\t"
      "vpaddd %%ymm4, %%ymm10, %%ymm10\n\t"
      "vpaddd %%ymm5, %%ymm11, %%ymm11\n\t",
      6)

/* Dependent adds: one per cycle, so adds per ns estimates the clock (GHz). */
static double clockGhz(void) {
  double best = 1e30;
  for (int pass = 0; pass < PASSES; ++pass) {
    long n = ITERS;
    uint64_t x = 0;
    double t0 = now();
    __asm__ volatile("1:\n\t"
                     "add $1, %1\n\tadd $1, %1\n\tadd $1, %1\n\tadd $1, %1\n\t"
                     "add $1, %1\n\tadd $1, %1\n\tadd $1, %1\n\tadd $1, %1\n\t"
                     "dec %0\n\t"
                     "jnz 1b\n\t"
                     : "+r"(n), "+r"(x)
                     :
                     : "cc");
    double t = now() - t0;
    if (t < best)
      best = t;
  }
  return (double)ITERS * 8 / best * 1e-9;
}

int main(int argc, char **argv) {
  double membw = argc > 1 ? atof(argv[1]) : 0;
  double ghz = clockGhz();
  double fma = fmaPerNs(), wd = maddwdPerNs(), ubsw = maddubswPerNs();
  double u8s8 = u8s8StepPerNs(), exact = exactStepPerNs();
  printf("isa_peak: clock_ghz=%.2f\n", ghz);
  printf("isa_peak: vfmadd231ps per_ns=%.2f per_cycle=%.2f\n", fma, fma / ghz);
  printf("isa_peak: vpmaddwd per_ns=%.2f per_cycle=%.2f\n", wd, wd / ghz);
  printf("isa_peak: vpmaddubsw per_ns=%.2f per_cycle=%.2f\n", ubsw, ubsw / ghz);
  printf("isa_peak: u8s8_step per_ns=%.2f per_cycle=%.2f\n", u8s8, u8s8 / ghz);
  printf("isa_peak: exact_i16_step per_ns=%.2f per_cycle=%.2f\n", exact,
         exact / ghz);
  double fp32Macs = fma * 8, exactMacs = exact * 16, u8s8Macs = u8s8 * 32;
  printf("isa_peak: fp32_macs_per_ns=%.1f int8_exact_macs_per_ns=%.1f "
         "int8_u8s8_macs_per_ns=%.1f int8_exact_over_fp32=%.2f "
         "int8_u8s8_over_fp32=%.2f\n",
         fp32Macs, exactMacs, u8s8Macs, exactMacs / fp32Macs,
         u8s8Macs / fp32Macs);
  /* 2 weights per byte of 4-bit weight, one multiply-add each. */
  double w4Gbps = fp32Macs / 2;
  printf("isa_peak: w4a16_fma_bound_gbps=%.1f", w4Gbps);
  if (membw > 0)
    printf(" percent_of_membw=%.0f", 100 * w4Gbps / membw);
  printf("\n");
  return 0;
}
