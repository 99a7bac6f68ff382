// This machine's measured FP32 fused-multiply-add peak: the roofline that `camlab bench` and the
// programs in bench/ read their kernel GFLOP/s against.
//
//   FmaIsa isa = best_fma_isa();                       // AVX-512 where the CPU has it, else AVX2
//   FmaPeak p = measure_fma_peak(isa, 2, 0.25);        // 2 threads, ~0.25 s per run, best of 3
//   fmt::print("{:.0f} GFLOP/s ({})\n", p.gflops, p.isa);
//   double fraction = conv_gflops / p.gflops;           // how close a kernel gets
//
// Each thread runs kFmaAccumulators independent FMA chains, enough to cover the FMA latency
// (4 cycles) times the FMA ports (2) with room to spare, so the loop is throughput-bound. One FMA
// on a W-lane vector counts 2·W flops. Several threads start together and their total flops are
// divided by the wall time until the last one finishes.
#pragma once

#include <cstdint>
#include <string>

namespace camlab::experiments {

inline constexpr int kFmaAccumulators = 12;

struct FmaIsa {
  std::string name;  // "avx512f" or "avx2+fma"
  int lanes = 0;     // float32 lanes per vector
  float (*loop)(int64_t iterations) = nullptr;
};

// "avx512" or "avx2"; an Error naming the alternative when this CPU lacks it.
FmaIsa fma_isa(const std::string& which);
FmaIsa best_fma_isa();  // avx512 when the CPU has AVX-512F, else avx2

struct FmaPeak {
  std::string isa;
  int threads = 0;
  double gflops = 0;  // all `threads` together, per wall second
  // Per second of CPU time each thread actually ran: one core's peak, and not lowered when other
  // processes share the cores (a descheduled thread accrues no CPU time).
  double gflops_per_core = 0;
  double seconds_per_run = 0;
};

// Best of `repeats` runs of `threads` threads, each running about `seconds` (calibrated once on
// one thread).
FmaPeak measure_fma_peak(const FmaIsa& isa, int threads, double seconds, int repeats = 3);

}  // namespace camlab::experiments
