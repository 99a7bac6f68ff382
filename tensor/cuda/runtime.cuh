// What every .cu file of the CUDA backend shares: error checks, the stream, launch geometry and
// the device guard. Include it first, before anything that pulls in fmt (a comment line after it
// keeps clang-format from sorting other includes above it):
//
//   #include "tensor/cuda/runtime.cuh"
//   DeviceGuard guard(out.device());
//   my_kernel<<<blocks_for(n), kThreads, 0, current_stream()>>>(n, ...);
//   check_launch("my_op");
//
// Streams: every kernel, memset and copy of camlab runs on the legacy default stream of the device
// (never compile with --default-stream per-thread). One stream means program order is execution
// order, so the caching allocator may hand a freed block to the next request at once: any later
// use is queued behind the work that read the old tensor. The one exception, cuda::Upload's copy
// stream, orders itself against this one with events (upload.cu). See docs/cuda.md.
#pragma once

// fmt 9 turns its FMT_CONSTEXPR off under nvcc but keeps consteval/constexpr-20 paths that call
// those functions, which g++ then rejects. nvcc 12+ handles fmt's constexpr code, so turn it on.
// -DFMT_USE_CONSTEXPR=1 on the nvcc command line does the same and makes the order irrelevant.
#if defined(FMT_VERSION) && !defined(FMT_USE_CONSTEXPR)
#error "tensor/cuda/runtime.cuh must be included before any header that includes fmt"
#endif
#ifndef FMT_USE_CONSTEXPR
#define FMT_USE_CONSTEXPR 1
#endif

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "tensor/device.h"
#include "tensor/error.h"

namespace camlab::cuda {

// Threads per block for the one-thread-per-element kernels.
inline constexpr int kThreads = 256;

// Blocks for n elements with a grid-stride loop; capped so huge tensors loop instead of
// overflowing gridDim.
inline unsigned blocks_for(int64_t n, int threads = kThreads) {
  const int64_t blocks = (n + threads - 1) / threads;
  return static_cast<unsigned>(std::clamp<int64_t>(blocks, 1, int64_t{1} << 20));
}

// The first index and step of a grid-stride loop.
__device__ __forceinline__ int64_t grid_start() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ int64_t grid_step() {
  return static_cast<int64_t>(gridDim.x) * blockDim.x;
}

// The stream camlab queues all work on: the legacy default stream (handle 0; the build never
// passes --default-stream per-thread, which would change what 0 means).
inline cudaStream_t current_stream() { return nullptr; }

// Throws camlab::Error naming `what` and CUDA's description when status is not cudaSuccess.
void check(cudaError_t status, const char* what);
#define CAMLAB_CUDA_CHECK(expr) ::camlab::cuda::check((expr), #expr)

// After a <<<...>>> launch: turns a launch failure (bad configuration, no device) into an Error
// naming the op.
void check_launch(const char* op);

// Makes device.index current for the scope (kernels launch on the current device).
class DeviceGuard {
 public:
  explicit DeviceGuard(Device device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = -1;
};

}  // namespace camlab::cuda
