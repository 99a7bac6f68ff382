// Batch norm against PyTorch (tests/fixtures/batchnorm.h5: train, eval, train_n1): outputs, the
// running statistics after the step, and every gradient; plus float32, strided input and errors.
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

Tensor from_array(const Array& a, DType dtype) {
  return Tensor::from_vector<double>(a.values, Shape(a.shape.begin(), a.shape.end())).to(dtype);
}

using test::values;

// Runs one fixture case forward and backward in `dtype` and compares everything with PyTorch.
void check_case(const std::string& c, DType dtype, double rtol, double atol) {
  SCOPED_TRACE(c);
  Fixture f("batchnorm.h5");
  const bool training = f.number(c, "training") != 0;
  const double momentum = f.number(c, "momentum"), eps = f.number(c, "eps");
  Tensor x = from_array(f.array(c + "/x"), dtype);                        // [N, C, H, W]
  Tensor weight = from_array(f.array(c + "/weight"), dtype);              // [C]
  Tensor bias = from_array(f.array(c + "/bias"), dtype);                  // [C]
  Tensor running_mean = from_array(f.array(c + "/running_mean"), dtype);  // [C], updated in place
  Tensor running_var = from_array(f.array(c + "/running_var"), dtype);    // [C], updated in place

  ops::BatchNormResult r =
      ops::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps);
  EXPECT_EQ(r.y.shape(), x.shape());
  EXPECT_TRUE(test::all_close(values(r.y), f.array(c + "/y"), rtol, atol));
  EXPECT_TRUE(
      test::all_close(values(running_mean), f.array(c + "/running_mean_after"), rtol, atol));
  EXPECT_TRUE(test::all_close(values(running_var), f.array(c + "/running_var_after"), rtol, atol));

  Tensor grad_y = from_array(f.array(c + "/grad_y"), dtype);  // [N, C, H, W]
  ops::BatchNormGrads g =
      ops::batch_norm_backward(grad_y, x, weight, r.save_mean, r.save_invstd, training);
  EXPECT_TRUE(test::all_close(values(g.grad_x), f.array(c + "/grad_x"), rtol, atol));
  EXPECT_TRUE(test::all_close(values(g.grad_weight), f.array(c + "/grad_weight"), rtol, atol));
  EXPECT_TRUE(test::all_close(values(g.grad_bias), f.array(c + "/grad_bias"), rtol, atol));
}

TEST(BatchNorm, FixtureCasesAreTheExpectedOnes) {
  Fixture f("batchnorm.h5");
  EXPECT_EQ(f.cases(), (std::vector<std::string>{"eval", "train", "train_n1"}));
}

TEST(BatchNorm, MatchesPyTorchInFloat64) {
  for (const char* c : {"train", "eval", "train_n1"}) check_case(c, DType::Float64, 1e-5, 1e-7);
}

TEST(BatchNorm, MatchesPyTorchInFloat32) {
  for (const char* c : {"train", "eval", "train_n1"}) check_case(c, DType::Float32, 1e-4, 1e-5);
}

TEST(BatchNorm, TrainingNormalizesEachChannel) {
  Generator gen(3);
  Tensor x = ops::add(ops::mul(ops::randn({8, 3, 4, 5}, gen, DType::Float64), 3.0), 100.0);
  ops::BatchNormResult r =
      ops::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
  // Without weight and bias, every channel of y has mean 0 and (biased) variance 1 − O(eps).
  Tensor y = r.y;  // [8, 3, 4, 5]
  for (int64_t c = 0; c < 3; ++c) {
    double sum = 0, squares = 0;
    for (int64_t n = 0; n < 8; ++n)
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t w = 0; w < 5; ++w) {
          const double v = y.at<double>({n, c, h, w});
          sum += v;
          squares += v * v;
        }
    EXPECT_NEAR(sum / 160, 0.0, 1e-12);
    EXPECT_NEAR(squares / 160, 1.0, 1e-5);
    EXPECT_NEAR(r.save_mean.at<double>({c}), 100.0, 1.0);  // large offset, kept accurate
  }
}

TEST(BatchNorm, NonContiguousInputMatchesContiguous) {
  Generator gen(4);
  Tensor base = ops::randn({3, 5, 4, 2}, gen, DType::Float64);  // [N, H, C, W] in memory
  Tensor x = base.permute({0, 2, 1, 3});                        // [3, 4, 5, 2], strided
  ASSERT_FALSE(x.is_contiguous());
  Tensor w = ops::randn({4}, gen, DType::Float64), b = ops::randn({4}, gen, DType::Float64);
  Tensor gy = ops::randn({3, 4, 5, 2}, gen, DType::Float64)
                  .transpose(2, 3)
                  .contiguous()
                  .transpose(2, 3);  // strided upstream gradient too
  for (bool training : {true, false}) {
    SCOPED_TRACE(training ? "training" : "eval");
    Tensor rm1 = ops::zeros({4}, DType::Float64), rv1 = ops::ones({4}, DType::Float64);
    Tensor rm2 = rm1.clone(), rv2 = rv1.clone();
    auto strided = ops::batch_norm(x, w, b, rm1, rv1, training, 0.1, 1e-5);
    auto packed = ops::batch_norm(x.contiguous(), w, b, rm2, rv2, training, 0.1, 1e-5);
    EXPECT_EQ(values(strided.y), values(packed.y));
    EXPECT_EQ(values(rv1), values(rv2));
    auto g1 = ops::batch_norm_backward(gy, x, w, strided.save_mean, strided.save_invstd, training);
    auto g2 = ops::batch_norm_backward(gy.contiguous(), x.contiguous(), w, packed.save_mean,
                                       packed.save_invstd, training);
    EXPECT_EQ(values(g1.grad_x), values(g2.grad_x));
    EXPECT_EQ(values(g1.grad_weight), values(g2.grad_weight));
  }
}

TEST(BatchNorm, TwoDimensionalInputUsesTheBatchOnly) {
  // [N, C] = [4, 2]: channel 0 is 1, 2, 3, 4 -> mean 2.5, biased var 1.25, unbiased 5/3.
  Tensor x = Tensor::from_vector<double>({1, 10, 2, 20, 3, 30, 4, 40}, {4, 2});
  Tensor rm = ops::zeros({2}, DType::Float64), rv = ops::ones({2}, DType::Float64);
  auto r = ops::batch_norm(x, Tensor(), Tensor(), rm, rv, true, 0.5, 1e-12);
  EXPECT_NEAR(r.save_mean.at<double>({0}), 2.5, 1e-15);
  EXPECT_NEAR(r.y.at<double>({0, 0}), -1.5 / std::sqrt(1.25), 1e-9);
  EXPECT_NEAR(rm.at<double>({1}), 0.5 * 25, 1e-12);
  EXPECT_NEAR(rv.at<double>({0}), 0.5 * 1 + 0.5 * 5.0 / 3.0, 1e-12);
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(BatchNorm, ErrorsNameTheOpAndShapes) {
  Tensor x = ops::zeros({2, 3, 4, 4});
  std::string e = error_of(
      [&] { ops::batch_norm(x, ops::ones({4}), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5); });
  EXPECT_NE(e.find("batch_norm"), std::string::npos) << e;
  EXPECT_NE(e.find("[2, 3, 4, 4]"), std::string::npos) << e;
  EXPECT_NE(e.find("[4]"), std::string::npos) << e;
  e = error_of([&] {
    ops::batch_norm(ops::zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
  });
  EXPECT_NE(e.find("more than one value per channel"), std::string::npos) << e;
  EXPECT_NE(e.find("[1, 3]"), std::string::npos) << e;
  e = error_of(
      [&] { ops::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), false, 0.1, 1e-5); });
  EXPECT_NE(e.find("eval mode needs running_mean"), std::string::npos) << e;
  e = error_of([&] {
    ops::batch_norm(ops::zeros({3}), Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
  });
  EXPECT_NE(e.find("[N, C]"), std::string::npos) << e;
  e = error_of([&] {
    ops::batch_norm(x, ops::ones({3}, DType::Float64), Tensor(), Tensor(), Tensor(), true, 0.1,
                    1e-5);
  });
  EXPECT_NE(e.find("weight is float64"), std::string::npos) << e;
}

}  // namespace
}  // namespace camlab
