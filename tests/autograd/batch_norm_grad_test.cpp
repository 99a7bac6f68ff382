// Finite-difference checks (double) of batch norm in training and eval, on [N, C] and
// [N, C, H, W], contiguous or not; and of dropout with a mask fixed by reseeding.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

using Inputs = std::vector<Tensor>;

Tensor input(const Shape& shape, uint64_t seed, double low = -1, double high = 1) {
  Generator gen(seed);
  Tensor t = ops::uniform(shape, low, high, gen, DType::Float64);
  t.set_requires_grad(true);
  return t;
}

void expect_gradcheck(const autograd::GradcheckFn& f, const Inputs& inputs) {
  auto r = autograd::gradcheck(f, inputs);
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(BatchNormGrad, TrainingAndEvalOnTwoAndFourDims) {
  for (const Shape& shape : {Shape{5, 3}, Shape{2, 3, 3, 2}}) {
    for (bool training : {true, false}) {
      SCOPED_TRACE(shape_str(shape) + (training ? " training" : " eval"));
      Tensor x = input(shape, 1, -2, 3);
      Tensor w = input({3}, 2, 0.5, 1.5), b = input({3}, 3);
      // Buffers: eval normalises with them; training updates them on every call, which must
      // not change the output (it uses the batch statistics).
      Generator gen(4);
      Tensor rm = ops::uniform({3}, -0.5, 0.5, gen, DType::Float64);
      Tensor rv = ops::uniform({3}, 0.5, 1.5, gen, DType::Float64);
      expect_gradcheck(
          [=](const Inputs& in) { return batch_norm(in[0], in[1], in[2], rm, rv, training); },
          {x, w, b});
    }
  }
}

TEST(BatchNormGrad, NonContiguousInputAndNoAffine) {
  Tensor x = input({2, 4, 3, 3}, 6, -1, 2);  // laid out [N, H, C, W]; viewed as [N, C, H, W]
  Tensor w = input({3}, 7, 0.5, 1.5), b = input({3}, 8);
  for (bool training : {true, false}) {
    SCOPED_TRACE(training ? "training" : "eval");
    Tensor rm = ops::zeros({3}, DType::Float64), rv = ops::full({3}, 2.0, DType::Float64);
    expect_gradcheck(
        [=](const Inputs& in) {
          return batch_norm(transpose(in[0], 1, 2), in[1], in[2], rm, rv, training);
        },
        {x, w, b});
    // affine = false: no weight or bias, only x is differentiated.
    expect_gradcheck(
        [=](const Inputs& in) {
          return batch_norm(transpose(in[0], 1, 2), Tensor(), Tensor(), rm, rv, training);
        },
        {x});
  }
}

TEST(BatchNormGrad, TrainingUpdatesBuffersButNeverTracksThem) {
  Tensor x = input({4, 2}, 9, 0, 4);
  Tensor rm = ops::zeros({2}, DType::Float64), rv = ops::ones({2}, DType::Float64);
  Tensor y = batch_norm(x, Tensor(), Tensor(), rm, rv, true, 0.1);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(rm.requires_grad());
  EXPECT_NE(rm.at<double>({0}), 0.0);  // moved 10% of the way to the batch mean
  // Σ y over the batch is 0 for any x, so d(Σ y)/dx = 0: the training formula's centring.
  backward(y, ops::ones_like(y));  // d(Σ y)/d·
  for (int64_t i = 0; i < 4; ++i) EXPECT_NEAR(x.grad().at<double>({i, 1}), 0.0, 1e-12);
}

TEST(DropoutGrad, FixedMaskThroughTheSameSeed) {
  Tensor x = input({4, 6}, 10);
  expect_gradcheck(
      [](const Inputs& in) {
        Generator gen(42);  // the same mask on every call: the function is then linear in x
        return dropout(in[0], 0.4, true, gen);
      },
      {x});
  Tensor xt = input({6, 4}, 11);
  expect_gradcheck(
      [](const Inputs& in) {
        Generator gen(43);
        return dropout(transpose(in[0], 0, 1), 0.5, true, gen);
      },
      {xt});
}

TEST(DropoutGrad, GradientIsTheScaledMask) {
  Tensor x = input({1000}, 12);
  Generator gen(7);
  Tensor y = dropout(x, 0.25, true, gen);
  backward(y, ops::ones_like(y));  // d(Σ y)/d·
  int64_t kept = 0;
  for (int64_t i = 0; i < 1000; ++i) {
    const double g = x.grad().at<double>({i});
    EXPECT_TRUE(g == 0 || std::abs(g - 1 / 0.75) < 1e-15) << g;
    EXPECT_EQ(y.at<double>({i}), x.at<double>({i}) * g);  // the same mask forward and back
    kept += g != 0;
  }
  EXPECT_NEAR(kept / 1000.0, 0.75, 0.07);
}

TEST(DropoutGrad, EvalAndZeroPAreTheIdentity) {
  Tensor x = input({3, 3}, 13);
  Generator gen(0);
  EXPECT_TRUE(dropout(x, 0.5, false, gen).same(x));
  EXPECT_TRUE(dropout(x, 0.0, true, gen).same(x));
  EXPECT_EQ(gen.offset(), 0u);  // no numbers drawn
  EXPECT_THROW(dropout(x, -0.1, true, gen), Error);
}

}  // namespace
}  // namespace camlab
