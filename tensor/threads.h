// How many CPU threads kernels use: OpenMP's team for camlab's own loops and OpenBLAS's pool for
// GEMM, set together so the two never oversubscribe the cores.
//
//   set_num_threads(2);          // experiment.threads / --threads
//   int n = num_threads();       // 2
#pragma once

namespace camlab {

void set_num_threads(int threads);  // 0 = all cores
int num_threads();

}  // namespace camlab
