// The float32 implicit-GEMM convolution (tensor/cpu/conv2d_avx512.h) against the float64 path
// (im2col + OpenBLAS dgemm, itself checked against PyTorch in conv2d_test.cpp), on shapes chosen
// to hit the tiles' edges: channel counts that are not multiples of the 8-row tile, output rows
// whose Ho·Wp is not a multiple of the 48-column tile, K past one 384-deep block, groups,
// dilation, no padding, batch 1. Builds without AVX-512 run the same checks on the fallback.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "tensor/cpu/conv2d_avx512.h"
#include "tensor/ops.h"
#include "tests/support/all_close.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

using test::all_close;
using test::Array;

using test::values;

struct Case {
  std::string name;
  Shape x;  // [N, C, H, W]
  Shape w;  // [O, C/groups, kh, kw]
  Conv2dParams p;
  bool bias;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

const std::vector<Case>& cases() {
  static const std::vector<Case> all{
      // O = 9 and C = 7: 8-row tiles with spare rows (forward and input gradient); W = 13:
      // Ho·Wp = 9·15 = 135, not a multiple of 48; K = 63, not a multiple of 12.
      {"odd_channels", {3, 7, 9, 13}, {9, 7, 3, 3}, {.padding = {1, 1}}, true},
      {"no_bias_batch1", {1, 6, 11, 17}, {9, 6, 3, 3}, {.padding = {1, 1}}, false},
      // O/g = 5 and C/g = 6 per group; each group's filters packed on their own.
      {"groups", {2, 12, 10, 10}, {10, 6, 3, 3}, {.padding = {1, 1}, .groups = 2}, true},
      {"dilation", {2, 6, 12, 11}, {6, 6, 3, 3}, {.padding = {2, 2}, .dilation = {2, 2}}, true},
      // No padding: Wp = W and the output is narrower than the rows it is computed in.
      {"valid", {2, 6, 8, 19}, {4, 6, 3, 3}, {}, false},
      {"asymmetric", {2, 6, 9, 8}, {5, 6, 5, 3}, {.padding = {2, 0}, .dilation = {1, 2}}, true},
      // 3 input channels: the input gradient takes the im2col path, the rest stays implicit.
      {"few_channels", {2, 3, 8, 8}, {5, 3, 3, 3}, {.padding = {1, 1}}, true},
      // O = 40: a second 32-column panel of the weight gradient, 8 channels wide.
      {"two_panels", {2, 6, 7, 9}, {40, 6, 3, 3}, {.padding = {1, 1}}, true},
      {"pointwise", {2, 17, 5, 7}, {33, 17, 1, 1}, {}, true},
      // K = 48·9 = 432 > 384: two K blocks, the second accumulating onto the first.
      {"deep", {2, 48, 6, 6}, {20, 48, 3, 3}, {.padding = {1, 1}}, true},
      // Padding wider than (k − 1)·d: dY's padding would be negative, so the input gradient
      // takes the im2col path while the forward and weight gradient stay implicit.
      {"wide_padding", {2, 3, 6, 6}, {4, 3, 1, 3}, {.padding = {1, 2}}, true},
      // Stride 2 is not implicit: the im2col path.
      {"stride2", {2, 4, 9, 10}, {6, 4, 3, 3}, {.stride = {2, 2}, .padding = {1, 1}}, true},
      // A strided 1×1 forward gathers every second row and column, then runs the unit-stride
      // implicit GEMM; odd H and W leave a last row and column unread.
      {"pointwise_stride2", {2, 17, 9, 11}, {12, 17, 1, 1}, {.stride = {2, 2}}, true},
      {"pointwise_stride_2x3", {2, 9, 8, 10}, {7, 9, 1, 1}, {.stride = {2, 3}}, false},
      // Big enough (> 1M multiply-adds) to spread the batch over threads.
      {"threaded", {6, 16, 20, 20}, {24, 16, 3, 3}, {.padding = {1, 1}}, true},
  };
  return all;
}

class Conv2dImplicit : public ::testing::TestWithParam<Case> {};

TEST_P(Conv2dImplicit, Float32MatchesFloat64Path) {
  const Case& c = GetParam();
  Generator gen(11);
  Tensor x = ops::randn(c.x, gen, DType::Float64);
  Tensor w = ops::randn(c.w, gen, DType::Float64);
  Tensor b = c.bias ? ops::randn({c.w[0]}, gen, DType::Float64) : Tensor();
  Tensor y = ops::conv2d(x, w, b, c.p);
  Tensor grad_y = ops::randn(y.shape(), gen, DType::Float64);

  Tensor xf = x.to(DType::Float32), wf = w.to(DType::Float32), gf = grad_y.to(DType::Float32);
  Tensor bf = c.bias ? b.to(DType::Float32) : Tensor();
  // Sums of up to K ≈ 430 products of unit normals: float32 rounding stays well under 1e-4.
  const double rtol = 1e-4, atol = 1e-4;
  Tensor yf = ops::conv2d(xf, wf, bf, c.p);
  ASSERT_EQ(yf.shape(), y.shape());
  EXPECT_TRUE(all_close(values(yf), Array{y.shape(), values(y)}, rtol, atol));
  Tensor dx = ops::conv2d_backward_input(grad_y, w, x.shape(), c.p);
  EXPECT_TRUE(all_close(values(ops::conv2d_backward_input(gf, wf, x.shape(), c.p)),
                        Array{dx.shape(), values(dx)}, rtol, atol));
  Tensor dw = ops::conv2d_backward_weight(grad_y, x, w.shape(), c.p);
  // dW sums over N·Ho·Wo products as well: a looser absolute bound.
  EXPECT_TRUE(all_close(values(ops::conv2d_backward_weight(gf, xf, w.shape(), c.p)),
                        Array{dw.shape(), values(dw)}, rtol, 1e-3));
}

// Conv2dParams::relu fuses max(·, 0) into the epilogue of both paths (implicit float32 and
// im2col float64): the values must be those of the separate ReLU bit for bit, NaN included
// (the ReLU op maps NaN to 0).
TEST_P(Conv2dImplicit, FusedReluIsTheSeparateReluBitForBit) {
  const Case& c = GetParam();
  Generator gen(13);
  Conv2dParams fused = c.p;
  fused.relu = true;
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Tensor x = ops::randn(c.x, gen, dtype);
    Tensor w = ops::randn(c.w, gen, dtype);
    Tensor b = c.bias ? ops::randn({c.w[0]}, gen, dtype) : Tensor();
    Tensor x_nan = x.clone();  // one NaN pixel: NaN pre-activations around it
    if (dtype == DType::Float32) {
      x_nan.data<float>()[x.numel() / 2] = std::numeric_limits<float>::quiet_NaN();
    } else {
      x_nan.data<double>()[x.numel() / 2] = std::numeric_limits<double>::quiet_NaN();
    }
    for (const Tensor& input : {x, x_nan}) {
      const Tensor separate = ops::relu(ops::conv2d(input, w, b, c.p));  // [N, O, Ho, Wo]
      const Tensor one_pass = ops::conv2d(input, w, b, fused);           // [N, O, Ho, Wo]
      ASSERT_EQ(one_pass.shape(), separate.shape());
      // NaN != NaN: a NaN left by either side fails here, as it should (ReLU maps NaN to 0).
      EXPECT_EQ(values(one_pass), values(separate)) << dtype_name(dtype);
      EXPECT_GT(ops::sum(ops::eq(one_pass, ops::zeros_like(one_pass))).item(), 0.0)
          << "the ReLU clipped something";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dImplicit, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

// The edge-case shapes above only test the implicit GEMM if it is the path they take.
TEST(Conv2dImplicit, TakesTheImplicitPathWhereItApplies) {
  const Conv2dParams unit{.kernel = {3, 3}, .padding = {1, 1}};
  const Conv2dParams strided{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}};
  const Conv2dParams wide{.kernel = {1, 3}, .padding = {1, 2}};
  const auto geometry = [](const Conv2dParams& p) {
    return make_conv_geometry({2, 8, 9, 9}, 6, p);
  };
  EXPECT_EQ(cpu::implicit_forward_applies(geometry(unit)), bool(CAMLAB_CONV_AVX512));
  EXPECT_EQ(cpu::implicit_backward_input_applies(geometry(unit)), bool(CAMLAB_CONV_AVX512));
  EXPECT_FALSE(cpu::implicit_forward_applies(geometry(strided)));
  EXPECT_FALSE(cpu::implicit_backward_input_applies(geometry(strided)));
  EXPECT_EQ(cpu::implicit_forward_applies(geometry(wide)), bool(CAMLAB_CONV_AVX512));
  EXPECT_FALSE(cpu::implicit_backward_input_applies(geometry(wide)));
  EXPECT_FALSE(cpu::implicit_backward_input_applies(make_conv_geometry({2, 3, 9, 9}, 6, unit)));
}

// Junk columns (x ≥ Wo in rows Wp wide) must not leak: a gradient that is zero everywhere but the
// last output column of each row gives a weight gradient computed from real pixels only.
TEST(Conv2dImplicit, JunkColumnsDoNotLeakIntoGradients) {
  Generator gen(12);
  const Conv2dParams p{.kernel = {3, 3}, .padding = {1, 1}};
  Tensor x = ops::randn({2, 6, 7, 9}, gen, DType::Float64);
  Tensor w = ops::randn({5, 6, 3, 3}, gen, DType::Float64);
  Tensor grad_y = ops::zeros({2, 5, 7, 9}, DType::Float64);
  double* g = grad_y.data<double>();
  for (int64_t row = 0; row < 2 * 5 * 7; ++row) g[row * 9 + 8] = 1.0 + 0.1 * double(row % 7);
  Tensor dw = ops::conv2d_backward_weight(grad_y, x, w.shape(), p);
  Tensor dwf =
      ops::conv2d_backward_weight(grad_y.to(DType::Float32), x.to(DType::Float32), w.shape(), p);
  EXPECT_TRUE(all_close(values(dwf), Array{dw.shape(), values(dw)}, 1e-4, 1e-4));
  Tensor dx = ops::conv2d_backward_input(grad_y, w, x.shape(), p);
  Tensor dxf =
      ops::conv2d_backward_input(grad_y.to(DType::Float32), w.to(DType::Float32), x.shape(), p);
  EXPECT_TRUE(all_close(values(dxf), Array{dx.shape(), values(dx)}, 1e-4, 1e-4));
}

}  // namespace
}  // namespace camlab
