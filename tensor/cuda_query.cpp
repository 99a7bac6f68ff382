// CPU-only answers to tensor/cuda/device.h, compiled when the CUDA backend is not built.
#include "tensor/cuda/device.h"

#if !defined(CAMLAB_WITH_CUDA)
namespace camlab::cuda {

bool backend_built() { return false; }
int device_count() { return 0; }
std::string device_name(int) { return "none"; }

}  // namespace camlab::cuda
#endif
