// The fused CPU convolution kernels: im2col into a per-thread workspace and one GEMM per sample
// and group, with the batch spread over OpenMP threads (tensor/cpu/conv2d.cpp); float32 with unit
// stride on AVX-512 builds runs an implicit GEMM instead (tensor/cpu/conv2d_avx512.h).
//
//   Conv2dParams p{.kernel = {3, 3}, .padding = {1, 1}};
//   Tensor y = Tensor::empty({64, 32, 28, 28});
//   cpu::conv2d_forward(KernelArgs{.inputs = {x, w, b}, .outputs = {y}, .params = &p});
//
// They have the Kernel signature so that they can join the table as Op::conv2d_forward,
// Op::conv2d_backward_input and Op::conv2d_backward_weight; until tensor/op.h lists those ops,
// tensor/ops/conv2d.cpp calls them directly for CPU tensors. Inputs must be contiguous.
#pragma once

#include "tensor/dispatch.h"

namespace camlab::cpu {

// inputs {x [N, C, H, W], w [O, C/groups, kh, kw], optional b [O]} -> outputs {y [N, O, Ho, Wo]}
void conv2d_forward(const KernelArgs& args);
// inputs {grad_y [N, O, Ho, Wo], w [O, C/groups, kh, kw]} -> outputs {grad_x [N, C, H, W]}
void conv2d_backward_input(const KernelArgs& args);
// inputs {grad_y [N, O, Ho, Wo], x [N, C, H, W]} -> outputs {grad_w [O, C/groups, kh, kw]}
void conv2d_backward_weight(const KernelArgs& args);

}  // namespace camlab::cpu
