// The fully connected CRF (experiments/wsol/dense_crf.h) and SEC's constrain-to-boundary loss:
// mean field against a pair-by-pair NumPy reference (tests/fixtures/dense_crf.h5, written by
// tools/make_crf_fixtures.py) to 1e-4, the softmax of the unaries without pairwise terms, a free
// energy that falls over the iterations, a noisy two-region image cleaned, and the loss's value
// and gradient (finite differences in double).
#include "experiments/wsol/dense_crf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "experiments/wsol/sec_loss.h"
#include "experiments/wsol/segmenter.h"
#include "tensor/ops.h"
#include "tests/support/fixture.h"

namespace camlab::experiments {
namespace {

Tensor from_array(const test::Array& a, DType dtype) {
  return Tensor::from_vector<double>(a.values, a.shape).to(dtype);
}

double max_abs_difference(const Tensor& a, const Tensor& b) {
  return ops::amax(ops::abs(ops::sub(a.to(DType::Float64), b.to(DType::Float64)))).item();
}

DenseCrfOptions fixture_options(const test::Fixture& f, const std::string& c) {
  return {.iterations = f.ints(c, "iterations")[0],
          .appearance_weight = f.number(c, "appearance_weight"),
          .appearance_xy = f.number(c, "appearance_xy"),
          .appearance_intensity = f.number(c, "appearance_intensity"),
          .smoothness_weight = f.number(c, "smoothness_weight"),
          .smoothness_xy = f.number(c, "smoothness_xy")};
}

TEST(DenseCrf, MatchesTheNumpyReference) {
  const test::Fixture f("dense_crf.h5");
  ASSERT_FALSE(f.cases().empty());
  for (const std::string& c : f.cases()) {
    for (DType dtype : {DType::Float64, DType::Float32}) {
      const Tensor image = from_array(f.array(c + "/image"), dtype);  // [N, C, H, W]
      const Tensor unary = from_array(f.array(c + "/unary"), dtype);  // [N, L, H, W]
      const Tensor want = from_array(f.array(c + "/q"), DType::Float64);
      const Tensor q = dense_crf(unary, image, fixture_options(f, c));
      ASSERT_EQ(q.shape(), want.shape()) << c;
      EXPECT_LT(max_abs_difference(q, want), 1e-4) << c << " " << dtype_name(dtype);
    }
  }
}

// A [N, 1, H, W] image of two regions (left dark, right bright) and its truth [N, H, W] as 0/1.
struct TwoRegions {
  Tensor image;  // [N, 1, H, W]
  Tensor truth;  // [N, H, W] float 0/1
};

TwoRegions two_regions(int64_t n, int64_t side) {
  std::vector<double> pixels(n * side * side);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t y = 0; y < side; ++y) {
      for (int64_t x = 0; x < side; ++x) pixels[(i * side + y) * side + x] = x >= side / 2 + i;
    }
  }
  Tensor truth = Tensor::from_vector<double>(pixels, {n, side, side});
  return {truth.reshape({n, 1, side, side}), truth};
}

// Logits [N, 2, H, W] that favour the truth by `margin` under Gaussian noise of `spread`.
Tensor noisy_logits(const Tensor& truth, double margin, double spread, uint64_t seed) {
  Generator gen(seed);
  Tensor favour = ops::mul(ops::add(ops::mul(truth, 2.0), -1.0), margin);  // +m right, −m left
  Tensor noise = ops::randn(truth.shape(), gen, DType::Float64);
  Tensor foreground = ops::add(favour, ops::mul(noise, spread));
  return ops::cat({ops::zeros_like(foreground).unsqueeze(1), foreground.unsqueeze(1)}, 1);
}

double foreground_iou(const Tensor& q, const Tensor& truth) {
  Tensor predicted = ops::argmax(q, 1).to(DType::Float64);  // [N, H, W]
  const double both = ops::sum(ops::mul(predicted, truth)).item();
  const double either = ops::sum(ops::maximum(predicted, truth)).item();
  return both / either;
}

TEST(DenseCrf, WithoutPairwiseWeightsIsTheSoftmaxOfTheUnaries) {
  const TwoRegions data = two_regions(2, 8);
  const Tensor logits = noisy_logits(data.truth, 0.5, 1.0, 3);
  const Tensor q = dense_crf(logits, data.image,
                             {.iterations = 5, .appearance_weight = 0, .smoothness_weight = 0});
  EXPECT_LT(max_abs_difference(q, ops::softmax(logits, 1)), 1e-12);
}

TEST(DenseCrf, FreeEnergyFallsOverTheIterations) {
  const TwoRegions data = two_regions(2, 12);
  const Tensor logits = noisy_logits(data.truth, 0.3, 1.5, 4);
  const DenseCrfOptions options{
      .appearance_weight = 1, .appearance_xy = 3, .smoothness_weight = 0.5};
  double previous = INFINITY;
  for (int64_t t = 0; t <= 6; ++t) {
    DenseCrfOptions at = options;
    at.iterations = t;
    const Tensor q = dense_crf(logits, data.image, at);
    const double energy = ops::sum(crf_free_energy(q, logits, data.image, options)).item();
    EXPECT_LE(energy, previous + 1e-9) << "iteration " << t;
    previous = energy;
  }
}

TEST(DenseCrf, CleansANoisyTwoRegionImage) {
  const TwoRegions data = two_regions(3, 16);
  const Tensor logits = noisy_logits(data.truth, 0.3, 1.0, 5);
  const double before = foreground_iou(ops::softmax(logits, 1), data.truth);
  const Tensor q = dense_crf(logits, data.image, {});
  const double after = foreground_iou(q, data.truth);
  EXPECT_LT(before, 0.8);
  EXPECT_GT(after, 0.95) << "before " << before;
  // Each pixel's marginals are a distribution.
  EXPECT_LT(max_abs_difference(ops::sum(q, {1}), ops::ones_like(data.truth)), 1e-5);
}

TEST(DenseCrf, KernelIsSymmetricWithAZeroDiagonal) {
  const TwoRegions data = two_regions(1, 5);
  const Tensor k = crf_kernel(data.image.select(0, 0), {});  // [25, 25]
  ASSERT_EQ(k.shape(), (Shape{25, 25}));
  EXPECT_LT(max_abs_difference(k, k.transpose(0, 1).contiguous()), 1e-12);
  EXPECT_EQ(ops::sum(ops::mul(k, ops::eye(25, k.dtype()))).item(), 0.0);
  // Neighbours on the same side of the edge are closer than neighbours across it.
  EXPECT_GT(k.at<double>({0, 1}), k.at<double>({1, 2}));
}

TEST(DenseCrf, BadShapesAreOneLineErrors) {
  const TwoRegions data = two_regions(1, 4);
  const Tensor logits = ops::zeros({1, 2, 5, 4}, DType::Float64);
  try {
    dense_crf(logits, data.image, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[N, L, H, W] and [N, C, H, W]"), std::string::npos);
  }
}

TEST(ConstrainLoss, IsTheMeanKlToTheRefinedOutput) {
  Generator gen(6);
  const Tensor logits = ops::randn({2, 3, 4, 5}, gen, DType::Float64);
  const Tensor refined = ops::softmax(ops::randn({2, 3, 4, 5}, gen, DType::Float64), 1);
  const Tensor f = ops::softmax(logits, 1);
  const double kl = ops::sum(ops::mul(refined, ops::sub(ops::log(refined), ops::log(f)))).item();
  EXPECT_NEAR(constrain_loss(logits, refined).item(), kl / (2 * 4 * 5), 1e-12);
  EXPECT_NEAR(constrain_loss(logits, f).item(), 0.0, 1e-12);  // KL(f ‖ f) = 0
}

TEST(ConstrainLoss, GradientMatchesFiniteDifferences) {
  Generator gen(7);
  Tensor logits = ops::randn({2, 3, 3, 4}, gen, DType::Float64);
  logits.set_requires_grad(true);
  const Tensor image = ops::rand({2, 1, 3, 4}, gen, DType::Float64);
  // The CRF output of the segmenter's own output is a constant of the loss (SEC).
  const Tensor refined =
      dense_crf(ops::log_softmax(detach(logits), 1), image, {.appearance_xy = 2});
  auto loss = [&](const std::vector<Tensor>& in) { return constrain_loss(in[0], refined); };
  const autograd::GradcheckResult r = autograd::gradcheck(loss, {logits});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(ConstrainLoss, SegmenterTrainingAddsItWithItsWeight) {
  // One batch, so the epoch's loss is the loss before the first step, from the same initial net.
  Generator data_gen(8);
  const Tensor images = ops::rand({4, 1, 12, 12}, data_gen);  // [4, 1, 12, 12]
  const Tensor seeds = ops::randint(0, 3, {4, 12, 12}, data_gen).to(DType::UInt8);  // [4, 12, 12]
  const Tensor present = ops::ones({4, 2}, DType::UInt8);                           // [4, 2]
  auto first_loss = [&](double constrain) {
    Generator gen(9);
    Segmenter net(1, 3, gen);
    return train_segmenter(net, images, seeds, present,
                           {.epochs = 1, .batch_size = 4, .constrain = constrain})[0];
  };
  Generator gen(9);
  Segmenter net(1, 3, gen);
  net.train();
  const Tensor logits = net(images);  // [4, 3, 12, 12]
  const double kl =
      constrain_loss(logits, dense_crf(ops::log_softmax(detach(logits), 1), images, {})).item();
  EXPECT_GT(kl, 0.0);
  EXPECT_NEAR(first_loss(2.0) - first_loss(0.0), 2.0 * kl, 1e-4);
}

}  // namespace
}  // namespace camlab::experiments
