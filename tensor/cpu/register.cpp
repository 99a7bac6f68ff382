#include "tensor/cpu/register.h"

namespace camlab::cpu {

KernelTable make_kernel_table() {
  KernelTable table{};
  register_memory_kernels(table);
  register_elementwise_kernels(table);
  register_reduce_kernels(table);
  register_matmul_kernels(table);
  register_conv_kernels(table);
  register_image_kernels(table);
  register_norm_kernels(table);
  register_index_kernels(table);
  return table;
}

}  // namespace camlab::cpu
