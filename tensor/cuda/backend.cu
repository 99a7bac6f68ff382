// The CUDA kernel table, and the load-time registration of the allocator and the byte copies.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include "tensor/cuda/allocator.h"
#include "tensor/cuda/backend.h"
#include "tensor/cuda/conv2d.h"
#include "tensor/cuda/register.h"

namespace camlab::cuda {
namespace {

// tensor/op.h does not list the fused convolution ops yet (tensor/ops/conv2d.cpp calls the CPU
// kernels directly). The requires-expression is false while the enumerators are missing and
// true once they exist, so the kernels join the table then without an edit here.
template <typename OpEnum>
void register_fused_conv_kernels(KernelTable& t) {
  if constexpr (requires {
                  OpEnum::conv2d_forward;
                  OpEnum::conv2d_backward_input;
                  OpEnum::conv2d_backward_weight;
                }) {
    t[static_cast<size_t>(OpEnum::conv2d_forward)] = conv2d_forward;
    t[static_cast<size_t>(OpEnum::conv2d_backward_input)] = conv2d_backward_input;
    t[static_cast<size_t>(OpEnum::conv2d_backward_weight)] = conv2d_backward_weight;
  }
}

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
  register_fused_conv_kernels<Op>(table);
  register_pool_kernels(table);
  register_upsample_kernels(table);
  register_batch_norm_kernels(table);
  register_dropout_kernels(table);
  register_index_kernels(table);
  return table;
}

}  // namespace camlab::cuda
