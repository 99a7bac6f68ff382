// Assembles the CUDA kernel table, one family per file as in tensor/cpu/register.h. Each family
// fills its ops; tests/tensor/cuda_parity_test.cpp checks that no entry of Op is left empty.
#pragma once

#include "tensor/dispatch.h"

namespace camlab::cuda {

void register_memory_kernels(KernelTable& table);       // cuda/memory.cu
void register_elementwise_kernels(KernelTable& table);  // cuda/elementwise.cu
void register_reduce_kernels(KernelTable& table);       // cuda/reduce.cu
void register_softmax_kernels(KernelTable& table);      // cuda/softmax.cu
void register_matmul_kernels(KernelTable& table);       // cuda/matmul.cu
void register_conv_kernels(KernelTable& table);         // cuda/conv2d.cu (im2col, col2im, conv2d_*)
void register_pool_kernels(KernelTable& table);         // cuda/pool.cu
void register_upsample_kernels(KernelTable& table);     // cuda/upsample.cu
void register_batch_norm_kernels(KernelTable& table);   // cuda/batch_norm.cu
void register_dropout_kernels(KernelTable& table);      // cuda/dropout.cu
void register_index_kernels(KernelTable& table);        // cuda/index.cu

// Host <-> device and device <-> device byte copies, for register_device_copy (cuda/memory.cu).
void copy_between_devices(void* dst, Device dst_device, const void* src, Device src_device,
                          size_t nbytes);

}  // namespace camlab::cuda
