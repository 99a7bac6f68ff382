// fma_peak: this machine's measured FP32 fused-multiply-add peak, the roofline every CPU kernel
// benchmark in bench/ is read against.
//
//   $ fma_peak                     # AVX-512 if the CPU has it, else AVX2
//   $ fma_peak --json              # one JSON object, for scripts
//   $ fma_peak --isa avx2 --seconds 1
//
// Each thread runs kAccumulators independent FMA chains, enough to cover the FMA latency
// (4 cycles) times the FMA ports (2) with room to spare, so the loop is throughput-bound. One FMA
// on a W-lane vector counts 2*W flops. "All threads" starts one std::thread per hardware thread
// together and divides their total flops by the wall time until the last one finishes.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kAccumulators = 12;

// a = a * m + c converges to c / (1 - m): values stay normal, so no denormal slow path.
constexpr float kMul = 0.9999999f;
constexpr float kAdd = 1e-7f;

__attribute__((target("avx512f"))) float fma_loop_avx512(int64_t iterations) {
  __m512 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_set1_ps(1.0f + 0.01f * float(i));
  const __m512 m = _mm512_set1_ps(kMul), c = _mm512_set1_ps(kAdd);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_fmadd_ps(acc[i], m, c);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm512_add_ps(sum, acc[i]);
  // Returned so the loop is not dead code. (_mm512_reduce_add_ps trips a GCC 12 -Wuninitialized.)
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2,fma"))) float fma_loop_avx2(int64_t iterations) {
  __m256 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_set1_ps(1.0f + 0.01f * float(i));
  const __m256 m = _mm256_set1_ps(kMul), c = _mm256_set1_ps(kAdd);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, c);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  return total;
}

struct Isa {
  const char* name;
  int lanes;
  float (*loop)(int64_t);
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

volatile float g_sink;  // keeps every thread's result observable

// Iterations that take about `target` seconds on one thread.
int64_t calibrate(const Isa& isa, double target) {
  int64_t iterations = 1 << 16;
  for (;;) {
    const auto start = Clock::now();
    g_sink = isa.loop(iterations);
    const double t = seconds_since(start);
    if (t >= 0.05) return std::max<int64_t>(1, int64_t(double(iterations) * target / t));
    iterations *= 2;
  }
}

// FLOP/s of `threads` threads each running `iterations`, best of `repeats`.
double measure(const Isa& isa, int threads, int64_t iterations, int repeats) {
  const double flops = double(threads) * double(iterations) * kAccumulators * isa.lanes * 2.0;
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    std::latch ready(threads + 1);
    std::latch go(1);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        ready.count_down();
        go.wait();
        g_sink = isa.loop(iterations);
      });
    }
    ready.arrive_and_wait();  // every thread exists before the clock starts
    const auto start = Clock::now();
    go.count_down();
    for (auto& th : pool) th.join();
    best = std::max(best, flops / seconds_since(start));
  }
  return best;
}

[[noreturn]] void usage(const char* problem) {
  std::fprintf(stderr, "fma_peak: %s\nusage: fma_peak [--json] [--seconds S] [--isa avx512|avx2]\n",
               problem);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  double seconds = 0.5;
  std::string isa_name = __builtin_cpu_supports("avx512f") ? "avx512" : "avx2";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      json = true;
    } else if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
      if (!(seconds > 0)) usage("--seconds takes a positive number, e.g. --seconds 0.5");
    } else if (arg == "--isa" && i + 1 < argc) {
      isa_name = argv[++i];
    } else {
      usage(("unknown argument '" + arg + "'").c_str());
    }
  }

  Isa isa{};
  if (isa_name == "avx512") {
    if (!__builtin_cpu_supports("avx512f")) usage("this CPU has no AVX-512F; try --isa avx2");
    isa = {"avx512f", 16, fma_loop_avx512};
  } else if (isa_name == "avx2") {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
      std::fprintf(stderr, "fma_peak: this CPU has neither AVX-512F nor AVX2+FMA\n");
      return 1;
    }
    isa = {"avx2+fma", 8, fma_loop_avx2};
  } else {
    usage(("unknown --isa '" + isa_name + "'; use avx512 or avx2").c_str());
  }

  const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  const int64_t iterations = calibrate(isa, seconds);
  const double one = measure(isa, 1, iterations, 3) / 1e9;
  const double all = measure(isa, threads, iterations, 3) / 1e9;

  if (json) {
    std::printf(
        "{\"isa\": \"%s\", \"vector_lanes\": %d, \"accumulators\": %d, \"seconds_per_run\": %.3f, "
        "\"threads\": %d, \"single_thread_gflops\": %.2f, \"all_threads_gflops\": %.2f, "
        "\"per_thread_gflops\": %.2f}\n",
        isa.name, isa.lanes, kAccumulators, seconds, threads, one, all, all / threads);
  } else {
    std::printf("FP32 FMA peak (%s, %d accumulators, %.2f s per run, best of 3)\n", isa.name,
                kAccumulators, seconds);
    std::printf("  1 thread   : %8.2f GFLOP/s\n", one);
    std::printf("  %d threads%s: %8.2f GFLOP/s total, %.2f GFLOP/s per thread\n", threads,
                threads < 10 ? " " : "", all, all / threads);
  }
  return 0;
}
