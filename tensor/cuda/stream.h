// Waiting for the GPU. Kernels are asynchronous: a timing or a host-side read of raw device
// memory needs the queued work to finish first (copies to the CPU already wait on their own).
//
//   auto start = std::chrono::steady_clock::now();
//   Tensor y = ops::matmul(a, b);   // a, b on Device::cuda()
//   cuda::synchronize();
//   auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
//
// Only in builds with the CUDA backend (CAMLAB_WITH_CUDA); no CUDA header is included here.
#pragma once

namespace camlab::cuda {

// Blocks until all work queued on the current device has finished: camlab's stream (the legacy
// default stream) and the copy stream of cuda::Upload.
void synchronize();

}  // namespace camlab::cuda
