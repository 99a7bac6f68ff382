// The fused CUDA convolution kernels: im2col of the whole batch, then one strided-batched cuBLAS
// GEMM per group (tensor/cuda/conv2d.cu). Same contracts as tensor/cpu/conv2d.h.
//
//   Conv2dParams p{.kernel = {3, 3}, .padding = {1, 1}};
//   Tensor y = Tensor::empty({64, 32, 28, 28}, DType::Float32, Device::cuda());
//   cuda::conv2d_forward(KernelArgs{.inputs = {x, w, b}, .outputs = {y}, .params = &p});
//
// register_conv_kernels (tensor/cuda/register.h) puts them in the CUDA table under
// Op::conv2d_forward, Op::conv2d_backward_input and Op::conv2d_backward_weight, as the CPU side
// does. Inputs must be contiguous. No CUDA header is included here.
#pragma once

#include "tensor/dispatch.h"

namespace camlab::cuda {

// inputs {x [N, C, H, W], w [O, C/groups, kh, kw], optional b [O]} -> outputs {y [N, O, Ho, Wo]}
void conv2d_forward(const KernelArgs& args);
// inputs {grad_y [N, O, Ho, Wo], w [O, C/groups, kh, kw]} -> outputs {grad_x [N, C, H, W]}
void conv2d_backward_input(const KernelArgs& args);
// inputs {grad_y [N, O, Ho, Wo], x [N, C, H, W]} -> outputs {grad_w [O, C/groups, kh, kw]}
void conv2d_backward_weight(const KernelArgs& args);

}  // namespace camlab::cuda
