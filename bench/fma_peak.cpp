// fma_peak: this machine's measured FP32 fused-multiply-add peak, the roofline every CPU kernel
// benchmark in bench/ is read against. The loop itself lives in experiments/bench/fma_peak.h,
// shared with `camlab bench`, which measures the same peak in the same run as its kernels.
//
//   $ cmake --build build -j2 --target fma_peak
//   $ build/bench/fma_peak                 # AVX-512 if the CPU has it, else AVX2
//   $ build/bench/fma_peak --json          # one JSON object, for scripts
//   $ build/bench/fma_peak --isa avx2 --seconds 1
//
// "All threads" runs one std::thread per hardware thread together.
#include "experiments/bench/fma_peak.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>

namespace {

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr, "fma_peak: %s\nusage: fma_peak [--json] [--seconds S] [--isa avx512|avx2]\n",
               problem.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  namespace ex = camlab::experiments;
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
      usage("unknown argument '" + arg + "'");
    }
  }
  ex::FmaIsa isa;
  try {
    isa = ex::fma_isa(isa_name);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fma_peak: %s\n", e.what());
    return 1;
  }

  const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  const double one = ex::measure_fma_peak(isa, 1, seconds).gflops;
  const double all = ex::measure_fma_peak(isa, threads, seconds).gflops;
  if (json) {
    std::printf(
        "{\"isa\": \"%s\", \"vector_lanes\": %d, \"accumulators\": %d, \"seconds_per_run\": %.3f, "
        "\"threads\": %d, \"single_thread_gflops\": %.2f, \"all_threads_gflops\": %.2f, "
        "\"per_thread_gflops\": %.2f}\n",
        isa.name.c_str(), isa.lanes, ex::kFmaAccumulators, seconds, threads, one, all,
        all / threads);
  } else {
    std::printf("FP32 FMA peak (%s, %d accumulators, %.2f s per run, best of 3)\n",
                isa.name.c_str(), ex::kFmaAccumulators, seconds);
    std::printf("  1 thread   : %8.2f GFLOP/s\n", one);
    std::printf("  %d threads%s: %8.2f GFLOP/s total, %.2f GFLOP/s per thread\n", threads,
                threads < 10 ? " " : "", all, all / threads);
  }
  return 0;
}
