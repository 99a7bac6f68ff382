// camlab_micro_bench: Google Benchmark micro-benchmarks of the CPU kernels, one file per topic
// (gemm, im2col, conv2d, pooling, elementwise, softmax), each reporting GFLOP/s or GB/s, and one
// benchmark per case of the op-case table (op_cases_bench.cpp).
//
//   $ cmake --build build -j2 --target camlab_micro_bench
//   $ OMP_NUM_THREADS=2 build/bench/camlab_micro_bench --benchmark_filter=Conv2d
//   $ OMP_NUM_THREADS=2 build/bench/camlab_micro_bench --benchmark_format=json > micro.json
//
// Threads: OMP_NUM_THREADS (default all cores), applied to OpenMP and OpenBLAS together.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <string>

#include "tensor/threads.h"

int main(int argc, char** argv) {
  camlab::set_num_threads(omp_get_max_threads());  // OpenBLAS follows OpenMP's count
  benchmark::AddCustomContext("camlab_threads", std::to_string(camlab::num_threads()));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
