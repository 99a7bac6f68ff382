// The CUDA backend's entry point. tensor/dispatch.cpp builds the CUDA kernel table from it when
// the backend is compiled in (CAMLAB_WITH_CUDA); that reference also links tensor/cuda/backend.cu,
// whose load-time registration installs the caching allocator and the host/device copies
// (tensor/storage.h) before any CUDA tensor is made.
//
//   KernelTable table = cuda::make_kernel_table();   // every Op has a kernel; needs no GPU
//
// No CUDA header is included here.
#pragma once

#include "tensor/dispatch.h"

namespace camlab::cuda {

// A table with a CUDA kernel for every Op. Filling it touches no device.
KernelTable make_kernel_table();

}  // namespace camlab::cuda
