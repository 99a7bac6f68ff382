// Shared pieces of the Google Benchmark micro-benchmarks (bench/micro/*_bench.cpp): rate
// counters in the units the docs quote, so every file reports GFLOP/s or GB/s the same way.
//
//   static void BM_Relu(benchmark::State& state) {
//     for (auto _ : state) benchmark::DoNotOptimize(ops::relu(x));
//     micro::gbytes_per_second(state, 2.0 * x.numel() * 4);   // read x, write y
//   }
#pragma once

#include <benchmark/benchmark.h>

namespace camlab::micro {

// flops done by one iteration; reported as the rate "GFLOP=…/s" (per wall second over the timed
// iterations).
inline void gflops_per_second(benchmark::State& state, double flops) {
  state.counters["GFLOP"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Bytes one iteration must move at least (each input read once, each output written once);
// reported as the rate "GB=…/s" (10^9 bytes), a lower bound on the memory traffic.
inline void gbytes_per_second(benchmark::State& state, double bytes) {
  state.counters["GB"] =
      benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace camlab::micro
