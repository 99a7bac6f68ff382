// SSIM against its definition: constant maps by hand, and maps holding a single window whose
// Gaussian-weighted statistics the test computes directly (no separable filtering).
#include "cam/metrics/ssim.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// Wang et al. 2004 eq. 13 for one window of size s covering the whole s x s maps, with the 2-D
// weights w_ij ∝ exp(−((i − r)² + (j − r)²) / 2σ²) computed here, not by the library's 1-D taps.
double one_window_ssim(const std::vector<double>& x, const std::vector<double>& y, int64_t s,
                       double sigma) {
  const double r = 0.5 * static_cast<double>(s - 1);
  std::vector<double> w(x.size());
  double total = 0;
  for (int64_t i = 0; i < s; ++i) {
    for (int64_t j = 0; j < s; ++j) {
      const double d2 = (i - r) * (i - r) + (j - r) * (j - r);
      total += w[i * s + j] = std::exp(-d2 / (2 * sigma * sigma));
    }
  }
  double mx = 0, my = 0;
  for (size_t k = 0; k < x.size(); ++k) {
    mx += w[k] / total * x[k];
    my += w[k] / total * y[k];
  }
  double vx = 0, vy = 0, cxy = 0;
  for (size_t k = 0; k < x.size(); ++k) {
    vx += w[k] / total * (x[k] - mx) * (x[k] - mx);
    vy += w[k] / total * (y[k] - my) * (y[k] - my);
    cxy += w[k] / total * (x[k] - mx) * (y[k] - my);
  }
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  return (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
}

std::vector<double> values_of(const Tensor& t) {
  const Tensor c = t.to(DType::Float64).contiguous();
  return {c.data<double>(), c.data<double>() + c.numel()};
}

TEST(Ssim, IdenticalMapsScoreOne) {
  Generator gen(1);
  const Tensor x = ops::rand({20, 17}, gen);
  EXPECT_NEAR(ssim(x, x), 1.0, 1e-12);
}

TEST(Ssim, ConstantMapsCompareTheirLuminanceOnly) {
  // σ = 0 in every window: the structure term is C2 / C2 = 1, the luminance term
  // (2·0.2·0.6 + C1) / (0.2² + 0.6² + C1) with C1 = 1e-4.
  const Tensor a = ops::full({12, 12}, 0.2, DType::Float64);
  const Tensor b = ops::full({12, 12}, 0.6, DType::Float64);
  EXPECT_NEAR(ssim(a, b), (0.24 + 1e-4) / (0.40 + 1e-4), 1e-12);
}

TEST(Ssim, OneElevenByElevenWindowMatchesTheDefinition) {
  Generator gen(2);
  const Tensor x = ops::rand({11, 11}, gen, DType::Float64);
  const Tensor y =
      ops::add(ops::mul(x, 0.5), ops::mul(ops::rand({11, 11}, gen, DType::Float64), 0.4));
  const double want = one_window_ssim(values_of(x), values_of(y), 11, 1.5);
  EXPECT_NEAR(ssim(x, y), want, 1e-12);
  EXPECT_NEAR(ssim(y, x), want, 1e-12);  // symmetric
  EXPECT_LT(want, 0.99);
}

TEST(Ssim, SmallMapsShrinkTheWindowToTheirOddSide) {
  // A 5x5 map shrinks the 11x11 window to 5x5: exactly one window.
  Generator gen(4);
  const Tensor x = ops::rand({5, 5}, gen, DType::Float64);
  const Tensor y = ops::rand({5, 5}, gen, DType::Float64);
  EXPECT_NEAR(ssim(x, y), one_window_ssim(values_of(x), values_of(y), 5, 1.5), 1e-12);
}

TEST(Ssim, TwoWindowsAverage) {
  // A 11x12 map has two valid positions; their mean is the answer.
  Generator gen(5);
  const Tensor x = ops::rand({11, 12}, gen, DType::Float64);
  const Tensor y = ops::rand({11, 12}, gen, DType::Float64);
  auto window = [](const Tensor& t, int64_t first) { return t.narrow(1, first, 11); };
  const double left = one_window_ssim(values_of(window(x, 0)), values_of(window(y, 0)), 11, 1.5);
  const double right = one_window_ssim(values_of(window(x, 1)), values_of(window(y, 1)), 11, 1.5);
  EXPECT_NEAR(ssim(x, y), 0.5 * (left + right), 1e-12);
}

TEST(Ssim, NormalizedSpansZeroToOne) {
  const Tensor n = normalized(Tensor::from_vector<float>({2, 4, 6, 10}, {2, 2}));
  EXPECT_EQ(values_of(n), (std::vector<double>{0, 0.25, 0.5, 1}));
  EXPECT_EQ(values_of(normalized(ops::full({2, 2}, 3.0))), (std::vector<double>(4, 0.0)));
}

TEST(Ssim, ShapeMismatchIsAnErrorNamingBothShapes) {
  try {
    ssim(ops::zeros({4, 4}), ops::zeros({4, 5}));
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("[4, 4] and [4, 5]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace camlab::cam
