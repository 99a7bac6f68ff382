// The direct depthwise convolution (tensor/cpu/depthwise_conv2d.h) against the same convolution
// computed one channel at a time by the general path (groups = 1 on a one-channel slice, itself
// checked against PyTorch in conv2d_test.cpp): kernel sizes, strides 1–3 (the column phases),
// padding, dilation, odd sizes, no bias, the fused ReLU, float and double, and a size that
// spreads the planes over threads.
#include "tensor/cpu/depthwise_conv2d.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tensor/ops.h"
#include "tests/support/all_close.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

struct Case {
  std::string name;
  Shape x;  // [N, C, H, W]
  std::array<int64_t, 2> kernel, stride, padding, dilation;
  bool bias;
  bool relu;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

// y [N, C, Ho, Wo]: each channel c convolved with w[c] alone through the general path.
Tensor per_channel_reference(const Tensor& x, const Tensor& w, const Tensor& b, Conv2dParams p) {
  p.groups = 1;
  std::vector<Tensor> channels;
  for (int64_t c = 0; c < x.size(1); ++c) {
    Tensor bias_c = b.defined() ? b.narrow(0, c, 1).contiguous() : Tensor();
    channels.push_back(
        ops::conv2d(x.narrow(1, c, 1).contiguous(), w.narrow(0, c, 1).contiguous(), bias_c, p));
  }
  return ops::cat(channels, 1);
}

class DepthwiseConv2d : public ::testing::TestWithParam<std::tuple<Case, DType>> {};

TEST_P(DepthwiseConv2d, EqualsTheConvolutionOfEachChannelAlone) {
  const auto& [c, dtype] = GetParam();
  Generator gen(11);
  const int64_t C = c.x[1];
  const Tensor x = ops::randn(c.x, gen, dtype);                               // [N, C, H, W]
  const Tensor w = ops::randn({C, 1, c.kernel[0], c.kernel[1]}, gen, dtype);  // [C, 1, kh, kw]
  const Tensor b = c.bias ? ops::randn({C}, gen, dtype) : Tensor();           // [C]
  const Conv2dParams p{.kernel = c.kernel,
                       .stride = c.stride,
                       .padding = c.padding,
                       .dilation = c.dilation,
                       .groups = C,
                       .relu = c.relu};
  ASSERT_TRUE(cpu::is_depthwise(make_conv_geometry(x.shape(), C, p)));
  Tensor want = per_channel_reference(
      x, w, b,
      {.kernel = c.kernel, .stride = c.stride, .padding = c.padding, .dilation = c.dilation});
  if (c.relu) want = ops::relu(want);
  const Tensor got = ops::conv2d(x, w, b, p);
  ASSERT_EQ(got.shape(), want.shape());
  const double tol = dtype == DType::Float64 ? 1e-12 : 1e-5;
  EXPECT_TRUE(
      test::all_close(test::values(got), test::Array{want.shape(), test::values(want)}, tol, tol));
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all{
      {"k3_s1_p1", {2, 5, 9, 11}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true, false},
      {"k3_s2_p1", {2, 6, 9, 12}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, false},
      {"k5_s2_p2_relu", {1, 4, 13, 10}, {5, 5}, {2, 2}, {2, 2}, {1, 1}, true, true},
      {"k3_s3_valid", {2, 3, 10, 11}, {3, 3}, {3, 3}, {0, 0}, {1, 1}, false, false},
      {"dilated", {2, 4, 12, 13}, {3, 3}, {1, 1}, {2, 2}, {2, 2}, true, false},
      {"asymmetric", {1, 3, 8, 15}, {3, 5}, {1, 2}, {1, 0}, {1, 2}, false, true},
      {"wide_padding", {1, 2, 4, 5}, {3, 3}, {2, 1}, {3, 2}, {1, 1}, true, false},
      // > 2^18 multiply-adds: the planes are spread over OpenMP threads.
      {"threaded", {4, 32, 28, 28}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true, true},
  };
  return all;
}

INSTANTIATE_TEST_SUITE_P(Shapes, DepthwiseConv2d,
                         ::testing::Combine(::testing::ValuesIn(cases()),
                                            ::testing::Values(DType::Float32, DType::Float64)),
                         [](const auto& info) {
                           return std::get<0>(info.param).name +
                                  (std::get<1>(info.param) == DType::Float32 ? "_f32" : "_f64");
                         });

}  // namespace
}  // namespace camlab
