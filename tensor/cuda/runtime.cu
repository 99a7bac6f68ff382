#include "tensor/cuda/runtime.cuh"
#include "tensor/cuda/stream.h"

namespace camlab::cuda {

void check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  cudaGetLastError();  // clear a non-sticky error so the next call starts clean
  fail(
      "CUDA error in {}: {} ({}); if this is the first CUDA call, check that a GPU and driver "
      "are present (nvidia-smi)",
      what, cudaGetErrorString(status), cudaGetErrorName(status));
}

void check_launch(const char* op) {
  const cudaError_t status = cudaGetLastError();
  if (status == cudaSuccess) return;
  fail("{}: CUDA kernel launch failed: {} ({})", op, cudaGetErrorString(status),
       cudaGetErrorName(status));
}

DeviceGuard::DeviceGuard(Device device) {
  int current = 0;
  CAMLAB_CUDA_CHECK(cudaGetDevice(&current));
  if (current != device.index) {
    CAMLAB_CUDA_CHECK(cudaSetDevice(device.index));
    previous_ = current;
  }
}

DeviceGuard::~DeviceGuard() {
  if (previous_ >= 0) cudaSetDevice(previous_);
}

// The whole device, not just camlab's stream: a cuda::Upload may be in flight on the copy stream.
void synchronize() { CAMLAB_CUDA_CHECK(cudaDeviceSynchronize()); }

}  // namespace camlab::cuda
