// w4a8_probe.cpp - how fast a decode GEMV with 4-bit weights could stream if
// the activations were int8 (W4A8: per-token symmetric int8 activations,
// group-wise asymmetric u4 weights), against the machine's read bandwidth.
//
// llmo has no W4A8 format: this is the measurement behind the open question
// in docs/Status.md (W4A16 decode reaches ~45 % of the bandwidth because a
// float activation costs one FMA and one extraction op per weight; integer
// activations let vpmaddubsw form 32 products per instruction). The kernel
// is checked against a scalar reference before it is timed.
//
//   g++ -O2 -mavx2 -mfma -std=c++17 bench/w4a8_probe.cpp -o w4a8_probe
//   ./w4a8_probe [reps=15]
//
// Layout (16-column panels, groups of 128 rows): for every quad of rows
// k = 4q..4q+3 a panel holds 32 bytes; byte 2c + j has w[4q + j][c] in its
// low nibble and w[4q + 2 + j][c] in its high nibble. Masking (low) or
// shifting and masking (high) gives the u8 pairs vpmaddubsw multiplies with
// the broadcast int8 activation pair (x[k], x[k + 1]). A pair sum is at most
// 2 * 15 * 127 = 3810, so eight steps accumulate exactly in i16 before they
// are widened (vpmaddwd with ones after interleaving two accumulators).
// Per group: acc - z * sum(qx) exactly in float (all below 2^24), then
// scaled by the weight scale; the activation scale is applied once at the
// end. Rows are prefetched 1 KiB ahead (none: ~10 GB/s; 512 B and 2 KiB
// were slower on some shapes).
//
// Measured on the benchmark machine (Zen 1 EPYC at ~2.5 GHz, one thread,
// against 13.8-14.4 GB/s from the same single-stream probe): 10.6-11.6 GB/s
// (0.74-0.81 of it), and 10.6 GB/s with the weights in L2, so one core is
// near its own compute limit. The W4A16 masked-block GEMV does 5.6-6.0 GB/s
// on the same shapes (bench/gemv_bench.cpp): integer activations double the
// rate per core, and two cores would exceed the two-thread bandwidth.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>
#include <random>
#include <vector>

namespace {

constexpr int kGroup = 128;
constexpr int kPanel = 16;

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Column order of the widened accumulators: a holds columns 0-3 and 8-11,
// b columns 4-7 and 12-15 (unpacklo/hi work within 128-bit lanes).
constexpr int kOrder[16] = {0, 1, 2, 3, 8,  9,  10, 11,
                            4, 5, 6, 7, 12, 13, 14, 15};

struct Problem {
  int64_t k, n, groups, panels;
  std::vector<uint8_t> w;      // u4 reference [k][n]
  std::vector<float> s, z;     // [groups][n]
  std::vector<uint8_t> packed; // panels * (k / 4) * 32
  std::vector<float> ps, pz;   // [panel][group][16] in kOrder
  Problem(std::mt19937 &rng, int64_t k, int64_t n) : k(k), n(n) {
    groups = k / kGroup;
    panels = n / kPanel;
    w.resize(k * n);
    s.resize(groups * n);
    z.resize(groups * n);
    std::uniform_int_distribution<int> nib(0, 15);
    std::uniform_real_distribution<float> sc(0.001f, 0.02f);
    for (auto &v : w)
      v = (uint8_t)nib(rng);
    for (int64_t i = 0; i < groups * n; ++i) {
      s[i] = sc(rng);
      z[i] = (float)nib(rng);
    }
    packed.assign(panels * (k / 4) * 32, 0);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t q = 0; q < k / 4; ++q)
        for (int c = 0; c < kPanel; ++c)
          for (int j = 0; j < 2; ++j) {
            int64_t col = p * kPanel + c;
            uint8_t lo = w[(4 * q + j) * n + col];
            uint8_t hi = w[(4 * q + 2 + j) * n + col];
            packed[(p * (k / 4) + q) * 32 + 2 * c + j] = lo | hi << 4;
          }
    ps.resize(panels * groups * kPanel);
    pz.resize(panels * groups * kPanel);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t g = 0; g < groups; ++g)
        for (int i = 0; i < kPanel; ++i) {
          int64_t col = p * kPanel + kOrder[i];
          ps[(p * groups + g) * kPanel + i] = s[g * n + col];
          pz[(p * groups + g) * kPanel + i] = z[g * n + col];
        }
  }
  size_t streamedBytes() const {
    return packed.size() + (ps.size() + pz.size()) * sizeof(float);
  }
};

struct Activations {
  std::vector<int8_t> q; // [k]
  float scale;
  std::vector<int8_t> pairs; // [k / 2][32]: (q[2i], q[2i + 1]) x 16
  std::vector<float> groupSums;
};

Activations quantize(const std::vector<float> &x) {
  Activations a;
  int64_t k = x.size();
  float maxAbs = 0;
  for (float v : x)
    maxAbs = std::max(maxAbs, std::fabs(v));
  a.scale = maxAbs > 0 ? maxAbs / 127 : 1;
  a.q.resize(k);
  for (int64_t i = 0; i < k; ++i)
    a.q[i] = (int8_t)std::nearbyint(std::clamp(x[i] / a.scale, -127.f, 127.f));
  a.pairs.resize(k / 2 * 32);
  for (int64_t i = 0; i < k / 2; ++i)
    for (int c = 0; c < 16; ++c) {
      a.pairs[i * 32 + 2 * c] = a.q[2 * i];
      a.pairs[i * 32 + 2 * c + 1] = a.q[2 * i + 1];
    }
  a.groupSums.assign(k / kGroup, 0);
  for (int64_t i = 0; i < k; ++i)
    a.groupSums[i / kGroup] += a.q[i];
  return a;
}

void reference(const Problem &pb, const Activations &a, float *out) {
  for (int64_t c = 0; c < pb.n; ++c) {
    double y = 0;
    for (int64_t g = 0; g < pb.groups; ++g) {
      int64_t acc = 0;
      for (int64_t i = g * kGroup; i < (g + 1) * kGroup; ++i)
        acc += a.q[i] * ((int)pb.w[i * pb.n + c] - (int)pb.z[g * pb.n + c]);
      y += (double)acc * pb.s[g * pb.n + c];
    }
    out[c] = (float)(y * a.scale);
  }
}

void panelKernel(const Problem &pb, const Activations &a, int64_t p,
                 float *out) {
  const __m256i nibble = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
  const uint8_t *panel = pb.packed.data() + p * (pb.k / 4) * 32;
  const int8_t *xp = a.pairs.data();
  const float *ps = pb.ps.data() + p * pb.groups * kPanel;
  const float *pz = pb.pz.data() + p * pb.groups * kPanel;
  __m256 ya = _mm256_setzero_ps(), yb = ya;
  for (int64_t g = 0; g < pb.groups; ++g) {
    __m256i acc32a = _mm256_setzero_si256(), acc32b = acc32a;
    for (int sub = 0; sub < kGroup / 32; ++sub) {
      __m256i lo16 = _mm256_setzero_si256(), hi16 = lo16;
      int64_t q0 = g * (kGroup / 4) + sub * 8;
#pragma GCC unroll 8
      for (int q = 0; q < 8; ++q) {
        if (q % 2 == 0)
          _mm_prefetch(
              reinterpret_cast<const char *>(
                  reinterpret_cast<uintptr_t>(panel + (q0 + q) * 32) + 1024),
              _MM_HINT_T0);
        __m256i v =
            _mm256_loadu_si256((const __m256i *)(panel + (q0 + q) * 32));
        __m256i lo = _mm256_and_si256(v, nibble);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
        __m256i xlo =
            _mm256_loadu_si256((const __m256i *)(xp + (2 * (q0 + q)) * 32));
        __m256i xhi =
            _mm256_loadu_si256((const __m256i *)(xp + (2 * (q0 + q) + 1) * 32));
        lo16 = _mm256_add_epi16(lo16, _mm256_maddubs_epi16(lo, xlo));
        hi16 = _mm256_add_epi16(hi16, _mm256_maddubs_epi16(hi, xhi));
      }
      acc32a = _mm256_add_epi32(
          acc32a, _mm256_madd_epi16(_mm256_unpacklo_epi16(lo16, hi16), ones));
      acc32b = _mm256_add_epi32(
          acc32b, _mm256_madd_epi16(_mm256_unpackhi_epi16(lo16, hi16), ones));
    }
    __m256 sums = _mm256_set1_ps(a.groupSums[g]);
    const float *s = ps + g * kPanel, *z = pz + g * kPanel;
    __m256 da =
        _mm256_fnmadd_ps(_mm256_loadu_ps(z), sums, _mm256_cvtepi32_ps(acc32a));
    __m256 db = _mm256_fnmadd_ps(_mm256_loadu_ps(z + 8), sums,
                                 _mm256_cvtepi32_ps(acc32b));
    ya = _mm256_fmadd_ps(_mm256_loadu_ps(s), da, ya);
    yb = _mm256_fmadd_ps(_mm256_loadu_ps(s + 8), db, yb);
  }
  __m256 scale = _mm256_set1_ps(a.scale);
  alignas(32) float t[16];
  _mm256_store_ps(t, _mm256_mul_ps(ya, scale));
  _mm256_store_ps(t + 8, _mm256_mul_ps(yb, scale));
  for (int i = 0; i < 16; ++i)
    out[p * kPanel + kOrder[i]] = t[i];
}

void run(const Problem &pb, const Activations &a, float *out) {
  for (int64_t p = 0; p < pb.panels; ++p)
    panelKernel(pb, a, p, out);
}

double memoryBandwidth() {
  size_t bytes = (size_t)512 << 20;
  float *buf = (float *)std::aligned_alloc(64, bytes);
  std::memset(buf, 1, bytes);
  std::vector<double> gbps;
  float sink = 0;
  for (int rep = 0; rep < 7; ++rep) {
    double t0 = now();
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i < bytes / 4; i += 32) {
      a0 = _mm256_add_ps(a0, _mm256_load_ps(buf + i));
      a1 = _mm256_add_ps(a1, _mm256_load_ps(buf + i + 8));
      a2 = _mm256_add_ps(a2, _mm256_load_ps(buf + i + 16));
      a3 = _mm256_add_ps(a3, _mm256_load_ps(buf + i + 24));
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    sink += _mm256_cvtss_f32(s);
    gbps.push_back(bytes / (now() - t0) / 1e9);
  }
  std::free(buf);
  std::sort(gbps.begin(), gbps.end());
  std::fprintf(stderr, "(sink %g)\n", sink);
  return gbps[gbps.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 15;
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.f, 1.f);
  // Correctness first: the kernel against the exact-integer reference.
  double worst = 0;
  for (auto [k, n] : {std::pair<int64_t, int64_t>{128, 16},
                      {384, 48},
                      {2048, 256},
                      {5632, 64}}) {
    Problem pb(rng, k, n);
    std::vector<float> x(k);
    for (auto &v : x)
      v = normal(rng);
    x[7] = 40.f; // an outlier: most activations quantize to small ints
    Activations a = quantize(x);
    std::vector<float> got(n), ref(n);
    run(pb, a, got.data());
    reference(pb, a, ref.data());
    double maxRef = 0, maxErr = 0;
    for (int64_t c = 0; c < n; ++c) {
      maxRef = std::max(maxRef, (double)std::fabs(ref[c]));
      maxErr = std::max(maxErr, (double)std::fabs(got[c] - ref[c]));
    }
    worst = std::max(worst, maxErr / maxRef);
  }
  std::printf("correctness: max err / max |ref| = %.2e (%s)\n", worst,
              worst < 1e-5 ? "ok" : "FAILED");
  if (worst >= 1e-5)
    return 1;

  double bw = memoryBandwidth();
  std::printf("memory read bandwidth (1 thread, AVX2 sum, 512 MiB): %.2f "
              "GB/s\n",
              bw);
  for (auto [k, n] : {std::pair<int64_t, int64_t>{2048, 2048},
                      {2048, 256},
                      {2048, 5632},
                      {5632, 2048},
                      {2048, 32000}}) {
    std::vector<Problem> pbs;
    pbs.emplace_back(rng, k, n);
    size_t bytes = pbs[0].streamedBytes();
    int copies = (int)std::max<size_t>(2, ((size_t)96 << 20) / bytes + 1);
    for (int c = 1; c < copies; ++c)
      pbs.emplace_back(rng, k, n);
    std::vector<float> x(k), out(n);
    for (auto &v : x)
      v = normal(rng);
    Activations a = quantize(x);
    std::vector<double> times;
    for (int rep = 0; rep < reps; ++rep) {
      double t0 = now();
      for (const Problem &pb : pbs)
        run(pb, a, out.data());
      times.push_back((now() - t0) / copies);
    }
    std::sort(times.begin(), times.end());
    double t = times[reps / 2];
    std::printf("W4A8 K=%5ld N=%5ld (%5.2f MB): %6.2f GB/s (%.2f of bw)\n",
                (long)k, (long)n, bytes / 1e6, bytes / t / 1e9,
                bytes / t / 1e9 / bw);
  }
  return 0;
}
