#include <cuda_runtime.h>

#include "tensor/cuda/device.h"

namespace camlab::cuda {

bool backend_built() { return true; }

int device_count() {
  int count = 0;
  // No driver or no GPU both mean "none here": the CPU-only paths keep running.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

std::string device_name(int index) {
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, index) != cudaSuccess) return "unknown";
  return prop.name;
}

}  // namespace camlab::cuda
