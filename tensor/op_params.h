// Parameter structs passed through KernelArgs::params, one per family of ops.
#pragma once

#include <array>
#include <cstdint>

#include "tensor/shape.h"

namespace camlab {

// Scalars of unary ops: clamp(a = lo, b = hi), leaky_relu(a = slope), elu(a = alpha),
// pow_scalar(a = exponent), add_scalar/mul_scalar(a), fill(a), arange(a = start, b = step),
// uniform(a = low, b = high), normal(a = mean, b = std), randint(a = low, b = high).
struct ScalarParams {
  double a = 0;
  double b = 0;
};

// Counter-based random streams: element i of the output uses Philox(seed, offset + i), so the
// same numbers come out on every machine and on both backends (tensor/philox.h).
struct RandomParams {
  uint64_t seed = 0;
  uint64_t offset = 0;
  double a = 0;
  double b = 0;
};

// Reduce over `dims` (sorted, non-negative). Outputs keep the reduced dims as size 1; the
// frontend squeezes them when keepdim is false.
struct ReduceParams {
  Shape dims;
};

// softmax family and arg/index ops along one dim.
struct DimParams {
  int64_t dim = 0;
};

// 2-D convolution geometry, shared by im2col/col2im and conv2d: x [N, C, H, W],
// w [O, C/groups, kh, kw] -> y [N, O, Ho, Wo], Ho = (H + 2·pad_h − dil_h·(kh − 1) − 1)/stride_h
// + 1.
struct Conv2dParams {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> padding{0, 0};
  std::array<int64_t, 2> dilation{1, 1};
  int64_t groups = 1;
  // Forward only: y = max(conv + bias, 0), the ReLU fused into the convolution's epilogue so the
  // output is written once instead of written, read and written again. Backward ops ignore it
  // (autograd masks dY with y > 0 first, autograd/functions/conv2d.cpp).
  bool relu = false;
};

struct Pool2dParams {
  std::array<int64_t, 2> kernel{2, 2};
  std::array<int64_t, 2> stride{2, 2};
  std::array<int64_t, 2> padding{0, 0};
  bool count_include_pad = true;  // avg pool only
};

struct UpsampleParams {
  std::array<int64_t, 2> out_size{0, 0};
  bool align_corners = false;  // bilinear only
};

struct BatchNormParams {
  double eps = 1e-5;
};

struct DropoutParams {
  double p = 0.5;
  uint64_t seed = 0;
  uint64_t offset = 0;
};

}  // namespace camlab
