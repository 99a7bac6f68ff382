// Reducing one value per thread of a block to a single value, for the reduction, softmax and
// batch-norm kernels.
//
//   __shared__ double scratch[kReduceThreads];
//   double total = block_reduce(partial, scratch, Plus{});   // every thread gets the total
//
// A shared-memory tree: log2(blockDim.x) steps, blockDim.x a power of two ≤ kReduceThreads.
#pragma once

#include "tensor/cuda/runtime.cuh"

namespace camlab::cuda {

inline constexpr int kReduceThreads = 256;

struct Plus {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return a + b;
  }
};

// Combines every thread's `value` with `combine` (associative; the order is a tree, not the
// index order). Acc must be trivially constructible to live in shared memory. All threads of
// the block must call it; all receive the result.
template <typename Acc, typename Combine>
__device__ Acc block_reduce(Acc value, Acc* scratch, const Combine& combine) {
  const unsigned tid = threadIdx.x;
  scratch[tid] = value;
  __syncthreads();
  for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
    if (tid < half) scratch[tid] = combine(scratch[tid], scratch[tid + half]);
    __syncthreads();
  }
  const Acc result = scratch[0];
  __syncthreads();  // scratch may be reused right after
  return result;
}

}  // namespace camlab::cuda
