#include "experiments/bench/fma_peak.h"

#include <immintrin.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "tensor/error.h"

namespace camlab::experiments {
namespace {

// a = a * m + c converges to c / (1 - m): values stay normal, so no denormal slow path.
constexpr float kMul = 0.9999999f;
constexpr float kAdd = 1e-7f;

__attribute__((target("avx512f"))) float fma_loop_avx512(int64_t iterations) {
  __m512 acc[kFmaAccumulators];
  for (int i = 0; i < kFmaAccumulators; ++i) acc[i] = _mm512_set1_ps(1.0f + 0.01f * float(i));
  const __m512 m = _mm512_set1_ps(kMul), c = _mm512_set1_ps(kAdd);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kFmaAccumulators; ++i) acc[i] = _mm512_fmadd_ps(acc[i], m, c);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kFmaAccumulators; ++i) sum = _mm512_add_ps(sum, acc[i]);
  // Returned so the loop is not dead code. (_mm512_reduce_add_ps trips a GCC 12 -Wuninitialized.)
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2,fma"))) float fma_loop_avx2(int64_t iterations) {
  __m256 acc[kFmaAccumulators];
  for (int i = 0; i < kFmaAccumulators; ++i) acc[i] = _mm256_set1_ps(1.0f + 0.01f * float(i));
  const __m256 m = _mm256_set1_ps(kMul), c = _mm256_set1_ps(kAdd);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kFmaAccumulators; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, c);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kFmaAccumulators; ++i) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

volatile float g_sink;  // keeps every thread's result observable

// Iterations that take about `target` seconds on one thread.
int64_t calibrate(const FmaIsa& isa, double target) {
  int64_t iterations = 1 << 14;
  for (;;) {
    const auto start = Clock::now();
    g_sink = isa.loop(iterations);
    const double t = seconds_since(start);
    if (t >= 0.01) return std::max<int64_t>(1, int64_t(double(iterations) * target / t));
    iterations *= 2;
  }
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Rates {
  double wall = 0;      // FLOP/s, all threads
  double per_core = 0;  // FLOP per CPU-second
};

// `threads` threads each running `iterations`, one run.
Rates run_once(const FmaIsa& isa, int threads, int64_t iterations) {
  const double flops = double(iterations) * kFmaAccumulators * isa.lanes * 2.0;  // per thread
  std::latch ready(threads + 1);
  std::latch go(1);
  std::vector<double> cpu(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ready.count_down();
      go.wait();
      const double start = thread_cpu_seconds();
      g_sink = isa.loop(iterations);
      cpu[t] = thread_cpu_seconds() - start;
    });
  }
  ready.arrive_and_wait();  // every thread exists before the clock starts
  const auto start = Clock::now();
  go.count_down();
  for (auto& th : pool) th.join();
  const double wall = seconds_since(start);
  double cpu_total = 0;
  for (double c : cpu) cpu_total += c;
  return {.wall = flops * threads / wall, .per_core = flops * threads / std::max(cpu_total, 1e-9)};
}

}  // namespace

FmaIsa fma_isa(const std::string& which) {
  if (which == "avx512") {
    CAMLAB_CHECK(__builtin_cpu_supports("avx512f"), "this CPU has no AVX-512F; use avx2");
    return {"avx512f", 16, fma_loop_avx512};
  }
  CAMLAB_CHECK(which == "avx2", "unknown FMA instruction set '{}'; use avx512 or avx2", which);
  CAMLAB_CHECK(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"),
               "this CPU has neither AVX-512F nor AVX2+FMA: no FMA peak to measure");
  return {"avx2+fma", 8, fma_loop_avx2};
}

FmaIsa best_fma_isa() { return fma_isa(__builtin_cpu_supports("avx512f") ? "avx512" : "avx2"); }

FmaPeak measure_fma_peak(const FmaIsa& isa, int threads, double seconds, int repeats) {
  CAMLAB_CHECK(threads > 0 && seconds > 0 && repeats > 0,
               "measure_fma_peak: threads ({}), seconds ({}) and repeats ({}) must be positive",
               threads, seconds, repeats);
  const int64_t iterations = calibrate(isa, seconds);
  Rates best;
  for (int r = 0; r < repeats; ++r) {
    const Rates rates = run_once(isa, threads, iterations);
    best.wall = std::max(best.wall, rates.wall);
    best.per_core = std::max(best.per_core, rates.per_core);
  }
  return {.isa = isa.name,
          .threads = threads,
          .gflops = best.wall / 1e9,
          .gflops_per_core = best.per_core / 1e9,
          .seconds_per_run = seconds};
}

}  // namespace camlab::experiments
