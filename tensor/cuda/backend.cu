// The CUDA kernel table, and the load-time registration of the allocator and the byte copies.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include "tensor/cuda/allocator.h"
#include "tensor/cuda/backend.h"
#include "tensor/cuda/register.h"

namespace camlab::cuda {
namespace {

// Runs when this object file is linked, which tensor/dispatch.cpp's call of make_kernel_table()
// guarantees: Tensor::empty on CUDA may come before any dispatch, so the allocator cannot wait
// for the kernel table. Only pointers are stored; no CUDA call is made.
const bool kRuntimeRegistered = [] {
  register_allocator(DeviceType::CUDA, &device_allocator());
  register_device_copy(copy_between_devices);
  return true;
}();

}  // namespace

KernelTable make_kernel_table() {
  (void)kRuntimeRegistered;
  KernelTable table{};
  register_memory_kernels(table);
  register_elementwise_kernels(table);
  register_reduce_kernels(table);
  register_softmax_kernels(table);
  register_matmul_kernels(table);
  register_conv_kernels(table);
  register_pool_kernels(table);
  register_upsample_kernels(table);
  register_batch_norm_kernels(table);
  register_dropout_kernels(table);
  register_index_kernels(table);
  return table;
}

}  // namespace camlab::cuda
