// Assembles the CPU kernel table. Each family file adds its kernels; tests check that no entry
// of Op is left empty.
#pragma once

#include "tensor/dispatch.h"

namespace camlab::cpu {

KernelTable make_kernel_table();

void register_memory_kernels(KernelTable& table);       // cpu/memory.cpp
void register_elementwise_kernels(KernelTable& table);  // cpu/elementwise.cpp
void register_reduce_kernels(KernelTable& table);       // cpu/reduce.cpp, cpu/softmax.cpp
void register_matmul_kernels(KernelTable& table);       // cpu/matmul.cpp
void register_conv_kernels(KernelTable& table);         // cpu/conv2d.cpp (im2col, col2im, conv2d_*)
void register_image_kernels(KernelTable& table);        // cpu/pool.cpp, cpu/upsample.cpp
void register_norm_kernels(KernelTable& table);         // cpu/batch_norm.cpp, cpu/dropout.cpp
void register_index_kernels(KernelTable& table);        // cpu/index.cpp

}  // namespace camlab::cpu
