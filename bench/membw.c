/* membw.c - memory read bandwidth, for bench/run_bench.py.
 *
 *   cc -O3 -march=native -pthread bench/membw.c -o membw
 *   ./membw [THREADS] [MIB] [REPS]        (defaults: 1 thread, 1024 MiB, 5)
 *
 * Allocates one MIB-MiB buffer, lets every thread first-touch (write) its
 * own contiguous slice, then REPS times for each of 1, 2 and 4 streams: all
 * threads start together at a barrier and each sums its slice (AVX2 256-bit
 * loads with four independent accumulators where available, else a plain
 * 64-bit sum the compiler vectorizes) as that many equal parts read side by
 * side; the time of a pass is from the barrier to the last thread's finish.
 * One sequential stream per core does not reach the memory system's read
 * bandwidth on every machine (on the benchmark machine: ~13 GB/s with one,
 * ~18 GB/s with two), so the figure is the best stream count's. Prints
 *
 *   membw: threads=T bytes=B best_gbps=X median_gbps=Y streams=S
 *
 * (the best and median pass of the stream count S with the best pass).
 * (GB/s = 1e9 bytes per second). Only reads are counted; the sums are
 * printed to stderr so the loads cannot be optimized away.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __AVX2__
#include <immintrin.h>
#endif

#define MAX_THREADS 256
#define MAX_REPS 100
#define NUM_STREAM_COUNTS 3
static const int stream_counts[NUM_STREAM_COUNTS] = {1, 2, 4};

typedef struct {
  const uint64_t *begin;
  size_t words;
  uint64_t sum;
  int index;
} Slice;

static Slice slices[MAX_THREADS];
static int nthreads = 1, reps = 5;
static pthread_barrier_t start_barrier, end_barrier;
static double times[NUM_STREAM_COUNTS][MAX_REPS];

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Sums p[0, words) as `streams` equal parts of a multiple of 16 words read
 * side by side, then the remainder. */
static uint64_t sum_slice(const uint64_t *p, size_t words, int streams) {
  size_t part = (words / streams) & ~(size_t)15;
  size_t i = 0;
  uint64_t s = 0;
#ifdef __AVX2__
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (; i < part; i += 16)
    for (int k = 0; k < streams; ++k) {
      const uint64_t *q = p + k * part + i;
      a0 = _mm256_add_epi64(a0, _mm256_load_si256((const __m256i *)q));
      a1 = _mm256_add_epi64(a1, _mm256_load_si256((const __m256i *)(q + 4)));
      a2 = _mm256_add_epi64(a2, _mm256_load_si256((const __m256i *)(q + 8)));
      a3 = _mm256_add_epi64(a3, _mm256_load_si256((const __m256i *)(q + 12)));
    }
  __m256i a =
      _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  uint64_t lanes[4];
  _mm256_storeu_si256((__m256i *)lanes, a);
  s = lanes[0] + lanes[1] + lanes[2] + lanes[3];
#else
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (; i < part; i += 4)
    for (int k = 0; k < streams; ++k) {
      const uint64_t *q = p + k * part + i;
      s0 += q[0];
      s1 += q[1];
      s2 += q[2];
      s3 += q[3];
    }
  s = s0 + s1 + s2 + s3;
#endif
  for (i = part * streams; i < words; ++i)
    s += p[i];
  return s;
}

static void *worker(void *arg) {
  Slice *s = (Slice *)arg;
  /* First touch: pages land near the thread that reads them. */
  uint64_t *w = (uint64_t *)s->begin;
  for (size_t i = 0; i < s->words; ++i)
    w[i] = i ^ (uint64_t)s->index;
  for (int c = 0; c < NUM_STREAM_COUNTS; ++c)
    for (int r = 0; r < reps; ++r) {
      pthread_barrier_wait(&start_barrier);
      double t0 = now();
      s->sum += sum_slice(s->begin, s->words, stream_counts[c]);
      pthread_barrier_wait(&end_barrier);
      if (s->index == 0)
        times[c][r] = now() - t0;
    }
  return NULL;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  size_t mib = 1024;
  if (argc > 1)
    nthreads = atoi(argv[1]);
  if (argc > 2)
    mib = (size_t)atol(argv[2]);
  if (argc > 3)
    reps = atoi(argv[3]);
  if (nthreads < 1 || nthreads > MAX_THREADS || mib < 1 || reps < 1 ||
      reps > MAX_REPS) {
    fprintf(stderr, "usage: %s [THREADS 1-%d] [MIB] [REPS 1-%d]\n", argv[0],
            MAX_THREADS, MAX_REPS);
    return 2;
  }
  size_t bytes = mib << 20;
  uint64_t *buf = NULL;
  if (posix_memalign((void **)&buf, 4096, bytes)) {
    fprintf(stderr, "membw: cannot allocate %zu bytes\n", bytes);
    return 1;
  }
  size_t words = bytes / 8;
  /* Slices are multiples of 16 words (128 B) so aligned loads stay aligned. */
  size_t per = (words / nthreads) & ~(size_t)15;
  pthread_barrier_init(&start_barrier, NULL, nthreads);
  pthread_barrier_init(&end_barrier, NULL, nthreads);
  pthread_t tids[MAX_THREADS];
  for (int t = 0; t < nthreads; ++t) {
    slices[t].begin = buf + per * t;
    slices[t].words = t == nthreads - 1 ? words - per * t : per;
    slices[t].sum = 0;
    slices[t].index = t;
    pthread_create(&tids[t], NULL, worker, &slices[t]);
  }
  uint64_t total = 0;
  for (int t = 0; t < nthreads; ++t) {
    pthread_join(tids[t], NULL);
    total += slices[t].sum;
  }
  int bestCount = 0;
  for (int c = 0; c < NUM_STREAM_COUNTS; ++c) {
    qsort(times[c], reps, sizeof(double), cmp);
    fprintf(stderr, "streams=%d best_gbps=%.3f\n", stream_counts[c],
            bytes / times[c][0] / 1e9);
    if (times[c][0] < times[bestCount][0])
      bestCount = c;
  }
  double best = bytes / times[bestCount][0] / 1e9;
  double median = bytes / times[bestCount][reps / 2] / 1e9;
  printf("membw: threads=%d bytes=%zu best_gbps=%.3f median_gbps=%.3f "
         "streams=%d\n",
         nthreads, bytes, best, median, stream_counts[bestCount]);
  fprintf(stderr, "checksum %llu\n", (unsigned long long)total);
  free(buf);
  return 0;
}
