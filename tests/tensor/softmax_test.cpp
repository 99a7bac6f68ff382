// softmax / log_softmax and their backward kernels: PyTorch fixtures (softmax.h5), any dim,
// non-contiguous inputs, extreme logits, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "tensor/ops.h"
#include "tests/support/all_close.h"
#include "tests/support/fixture.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

using test::Array;
using test::Fixture;

using test::values;

Tensor tensor_of(const Array& a, DType dtype = DType::Float32) {
  return Tensor::from_vector<double>(a.values, a.shape).to(dtype);
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// Cases softmax_{2d,3d}_dim{1,2} and log_softmax_*: y and grad_x = backward(grad_y).
TEST(Softmax, MatchesPyTorchFixturesForwardAndBackward) {
  Fixture f("softmax.h5");
  int checked = 0;
  for (const std::string& c : f.cases()) {
    const std::string op = f.text(c, "op");
    if (op != "softmax" && op != "log_softmax") continue;
    SCOPED_TRACE(c);
    const int64_t dim = f.ints(c, "dim")[0];
    const bool log = op == "log_softmax";
    Tensor x = tensor_of(f.array(c + "/x"));
    Tensor y = log ? ops::log_softmax(x, dim) : ops::softmax(x, dim);
    EXPECT_TRUE(test::all_close(values(y), f.array(c + "/y")));
    Tensor grad_y = tensor_of(f.array(c + "/grad_y"));
    Tensor grad_x =
        log ? ops::log_softmax_backward(grad_y, y, dim) : ops::softmax_backward(grad_y, y, dim);
    EXPECT_TRUE(test::all_close(values(grad_x), f.array(c + "/grad_x"), 1e-5, 1e-5));
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(Softmax, EveryDimOfAPermutedTensorSumsToOne) {
  Generator gen(2);
  Tensor x = ops::mul(ops::randn({4, 3, 5}, gen, DType::Float64), 4.0).permute({2, 0, 1});
  ASSERT_FALSE(x.is_contiguous());
  for (int64_t dim : {0, 1, 2, -1}) {
    SCOPED_TRACE(dim);
    Tensor y = ops::softmax(x, dim);
    EXPECT_EQ(y.shape(), x.shape());
    std::vector<double> totals = values(ops::sum(y, {dim}));
    for (double t : totals) EXPECT_NEAR(t, 1.0, 1e-14);
    // log_softmax is log(softmax) and equals x − logsumexp(x).
    std::vector<double> log_y = values(ops::log_softmax(x, dim));
    std::vector<double> y_values = values(y);
    std::vector<double> reference = values(ops::sub(x, ops::logsumexp(x, {dim}, /*keepdim=*/true)));
    for (size_t i = 0; i < log_y.size(); ++i) {
      EXPECT_NEAR(log_y[i], std::log(y_values[i]), 1e-12);
      EXPECT_NEAR(log_y[i], reference[i], 1e-12);
    }
  }
}

TEST(Softmax, ExtremeLogitsNeitherOverflowNorUnderflowToNan) {
  Tensor x = Tensor::from_vector<float>({1000, 0, -1000, 88, 89, 90}, {2, 3});
  Tensor y = ops::softmax(x, 1);
  EXPECT_FLOAT_EQ(y.at<float>({0, 0}), 1.0f);
  EXPECT_EQ(y.at<float>({0, 2}), 0.0f);
  Tensor l = ops::log_softmax(x, 1);
  EXPECT_FLOAT_EQ(l.at<float>({0, 1}), -1000.0f);
  EXPECT_FLOAT_EQ(l.at<float>({0, 2}), -2000.0f);
  const double lse = 90 + std::log(std::exp(-2.0) + std::exp(-1.0) + 1.0);
  EXPECT_NEAR(l.at<float>({1, 0}), 88 - lse, 1e-5);
  // A 0-d tensor is one class: probability 1.
  EXPECT_EQ(ops::softmax(ops::scalar(3.0), 0).item(), 1.0);
}

TEST(Softmax, BackwardMatchesTheJacobian) {
  // dX_i = Σ_j dY_j ∂y_j/∂x_i: ∂y_j/∂x_i = y_j(δ_ij − y_i) for softmax, δ_ij − y_i for
  // log_softmax (y the probabilities).
  Generator gen(4);
  Tensor x = ops::randn({2, 4}, gen, DType::Float64);
  Tensor g = ops::randn({2, 4}, gen, DType::Float64).transpose(0, 1).contiguous().transpose(0, 1);
  Tensor y = ops::softmax(x, 1);
  Tensor log_y = ops::log_softmax(x, 1);
  Tensor dx = ops::softmax_backward(g, y, 1);
  Tensor dlx = ops::log_softmax_backward(g, log_y, 1);
  for (int64_t n = 0; n < 2; ++n) {
    for (int64_t i = 0; i < 4; ++i) {
      double soft = 0, logsoft = 0;
      for (int64_t j = 0; j < 4; ++j) {
        const double yi = y.at<double>({n, i}), yj = y.at<double>({n, j});
        soft += g.at<double>({n, j}) * yj * ((i == j) - yi);
        logsoft += g.at<double>({n, j}) * ((i == j) - yi);
      }
      EXPECT_NEAR(dx.at<double>({n, i}), soft, 1e-14);
      EXPECT_NEAR(dlx.at<double>({n, i}), logsoft, 1e-14);
    }
  }
}

TEST(Softmax, LargeTensorAlongInnerAndOuterDims) {
  Generator gen(6);
  Tensor x = ops::randn({8, 21, 64, 64}, gen);  // segmentation-sized: softmax over classes
  Tensor y = ops::softmax(x, 1);
  Tensor totals = ops::sum(y, {1});
  EXPECT_NEAR(ops::amax(totals).item(), 1.0, 1e-5);
  EXPECT_NEAR(ops::amin(totals).item(), 1.0, 1e-5);
  Tensor y_last = ops::softmax(x.permute({0, 2, 3, 1}), -1);  // same values, classes last
  EXPECT_NEAR(ops::amax(ops::abs(ops::sub(y_last.permute({0, 3, 1, 2}), y))).item(), 0.0, 1e-7);
}

TEST(Softmax, ErrorsNameOpShapeAndFix) {
  std::string m = error_of([] { ops::softmax(ops::zeros({2, 3}, DType::Int64), 1); });
  EXPECT_NE(m.find("softmax"), std::string::npos) << m;
  EXPECT_NE(m.find("int64"), std::string::npos) << m;
  EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
  m = error_of([] { ops::log_softmax(ops::zeros({2, 3}), 2); });
  EXPECT_NE(m.find("log_softmax"), std::string::npos) << m;
  m = error_of([] { ops::softmax_backward(ops::zeros({2, 3}), ops::zeros({3, 2}), 1); });
  EXPECT_NE(m.find("softmax_backward"), std::string::npos) << m;
  EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
  EXPECT_NE(m.find("[3, 2]"), std::string::npos) << m;
}

}  // namespace
}  // namespace camlab
