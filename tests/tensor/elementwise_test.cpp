// Elementwise ops: values, NumPy broadcasting, dtype rules and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"

namespace camlab {
namespace {

TEST(Elementwise, BroadcastAddOverNonContiguousInputs) {
  Tensor a = ops::arange(0, 6).reshape({2, 3}).transpose(0, 1);  // [3, 2]
  Tensor b = Tensor::from_vector<float>({10, 20}, {2});
  Tensor c = ops::add(a, b);
  ASSERT_EQ(c.shape(), (Shape{3, 2}));
  EXPECT_EQ(c.at<float>({0, 0}), 10.0f);
  EXPECT_EQ(c.at<float>({2, 1}), 25.0f);
  Tensor col = Tensor::from_vector<float>({1, 2, 3}, {3, 1});
  Tensor row = Tensor::from_vector<float>({1, 10}, {1, 2});
  Tensor prod = ops::mul(col, row);
  EXPECT_EQ(prod.shape(), (Shape{3, 2}));
  EXPECT_EQ(prod.at<float>({2, 1}), 30.0f);
}

TEST(Elementwise, UnaryMathMatchesTheLibm) {
  Tensor x = ops::linspace(-3, 3, 13, DType::Float64);
  Tensor y = ops::sigmoid(x);
  Tensor g = ops::gelu(x);
  for (int64_t i = 0; i < 13; ++i) {
    double v = x.at<double>({i});
    EXPECT_NEAR(y.at<double>({i}), 1 / (1 + std::exp(-v)), 1e-15);
    EXPECT_NEAR(g.at<double>({i}), 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))), 1e-15);
    EXPECT_DOUBLE_EQ(ops::tanh(x).at<double>({i}), std::tanh(v));
    EXPECT_DOUBLE_EQ(ops::leaky_relu(x, 0.1).at<double>({i}), v > 0 ? v : 0.1 * v);
    EXPECT_DOUBLE_EQ(ops::clamp(x, -1, 2).at<double>({i}), std::clamp(v, -1.0, 2.0));
  }
  EXPECT_NEAR(ops::sigmoid(ops::full({1}, -1000.0)).item(), 0.0, 1e-30);  // no overflow
}

TEST(Elementwise, ComparisonsAndWhere) {
  Tensor a = Tensor::from_vector<float>({1, 5, 3}, {3});
  Tensor b = Tensor::from_vector<float>({2, 2, 3}, {3});
  Tensor gt = ops::gt(a, b);
  EXPECT_EQ(gt.dtype(), DType::Bool);
  EXPECT_FALSE(gt.at<bool>({0}));
  EXPECT_TRUE(gt.at<bool>({1}));
  EXPECT_TRUE(ops::eq(a, b).at<bool>({2}));
  Tensor w = ops::where(gt, a, ops::zeros({1}));
  EXPECT_EQ(w.at<float>({0}), 0.0f);
  EXPECT_EQ(w.at<float>({1}), 5.0f);
  Tensor m = ops::maximum(a, b);
  EXPECT_EQ(m.at<float>({0}), 2.0f);
}

TEST(Elementwise, ErrorsNameOpAndShapes) {
  Tensor a = ops::zeros({2, 3});
  Tensor b = ops::zeros({4});
  try {
    ops::add(a, b);
    FAIL();
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("add"), std::string::npos) << m;
    EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
    EXPECT_NE(m.find("[4]"), std::string::npos) << m;
  }
  try {
    ops::mul(a, ops::zeros({2, 3}, DType::Float64));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dtype mismatch"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ops::exp(ops::zeros({2}, DType::Int64)), Error);
}

TEST(Elementwise, LargeContiguousAndStridedAgree) {
  Generator gen(1);
  Tensor a = ops::randn({300, 257}, gen);
  Tensor b = ops::randn({257, 300}, gen).transpose(0, 1);
  Tensor fast = ops::add(a, b.contiguous());
  Tensor strided = ops::add(a, b);
  for (int64_t i = 0; i < 300; i += 37) {
    for (int64_t j = 0; j < 257; j += 29) {
      EXPECT_EQ(fast.at<float>({i, j}), strided.at<float>({i, j}));
    }
  }
}

}  // namespace
}  // namespace camlab
