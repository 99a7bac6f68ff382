// The AVX-512 contiguous-row float sum of tensor/cpu/reduce.cpp (conv bias gradients: [N, C, H, W]
// summed over {0, 2, 3}) against the same sums in float64, for row lengths with and without a
// tail, and against the strided path on a transposed view of the same values.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/generator.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

void expect_sums_match_double(const Tensor& got, const Tensor& want_double, double rel) {
  const Tensor g = got.contiguous(), w = want_double.contiguous();
  ASSERT_EQ(g.numel(), w.numel());
  for (int64_t i = 0; i < g.numel(); ++i) {
    const double want = w.data<double>()[i];
    EXPECT_NEAR(g.data<float>()[i], want, rel * (1.0 + std::abs(want))) << "at " << i;
  }
}

TEST(SumFastPath, BiasGradientShapesMatchFloat64) {
  Generator gen(4);
  for (int64_t hw : {28, 14, 5, 1}) {             // rows of 784, 196 (tails of 0 and 4), 25, 1
    Tensor x = ops::randn({16, 8, hw, hw}, gen);  // [N, C, H, W]
    Tensor s = ops::sum(x, {0, 2, 3});            // [C]
    Tensor sd = ops::sum(x.to(DType::Float64), {0, 2, 3});
    expect_sums_match_double(s, sd, 1e-6);
  }
}

TEST(SumFastPath, LongRowAndStridedViewAgree) {
  Generator gen(9);
  Tensor x = ops::add(ops::randn({3, 100003}, gen), 1000.0);  // [3, 100003]: large, same sign
  Tensor s = ops::sum(x, {1});                                // contiguous rows
  expect_sums_match_double(s, ops::sum(x.to(DType::Float64), {1}), 1e-7);
  Tensor xt = x.transpose(0, 1).contiguous().transpose(0, 1);  // same values, stride 3 rows
  ASSERT_FALSE(xt.is_contiguous());
  expect_sums_match_double(ops::sum(xt, {1}), ops::sum(x.to(DType::Float64), {1}), 1e-7);
}

}  // namespace
}  // namespace camlab
