// cam/methods: identities and properties that hold whatever the weights — Grad-CAM and HiResCAM
// are CAM up to scale on a GAP + linear head, Score-CAM's weights are a softmax, batched results
// equal one-by-one results, integrated gradients are complete, seeded methods repeat, and the
// Eigen-CAM projection is the top principal component with the documented sign.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "cam/methods/map_ops.h"
#include "cam/methods/method.h"
#include "cam/methods/random_cam.h"
#include "cam/methods/smooth_grad.h"
#include "tensor/ops.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

std::vector<double> scaled(std::vector<double> v, double factor) {
  for (double& x : v) x *= factor;
  return v;
}

Array as_array(const Tensor& t) { return Array{t.shape(), values(t)}; }

TEST(CamMethodsIdentities, GradCamAndHiResCamAreCamUpToScaleOnAGapLinearHead) {
  // Through GAP then fc, dy^c/dA^k_ij = W_fc[c, k] / (h·w) at every position, so Grad-CAM's weights
  // are W_fc[c, :] / 36 here and HiResCAM's element-wise terms are CAM's divided by 36.
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const Target target = Target::labels(fx.labels());
  Explanation cam = make_method("cam", *net)->explain(x, target);
  Explanation gradcam = make_method("gradcam", *net)->explain(x, target);
  Explanation hirescam = make_method("hirescam", *net)->explain(x, target);
  ASSERT_EQ(cam.raw.shape(), (Shape{3, 6, 6}));
  EXPECT_GT(values(ops::amax(cam.raw))[0], 0.0);
  EXPECT_TRUE(all_close(scaled(values(gradcam.raw), 36.0), as_array(cam.raw), 1e-9, 1e-12));
  EXPECT_TRUE(all_close(scaled(values(hirescam.raw), 36.0), as_array(cam.raw), 1e-9, 1e-12));
  EXPECT_TRUE(all_close(scaled(values(gradcam.weights), 36.0), as_array(cam.weights), 1e-9, 1e-12));
  // The scale disappears in the display maps.
  EXPECT_TRUE(all_close(values(gradcam.maps), as_array(cam.maps), 1e-9, 1e-12));
}

TEST(CamMethodsIdentities, ScoreCamWeightsAreASoftmaxOverChannels) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  for (const std::string layer : {"relu2", "conv2"}) {
    Explanation e = make_method("scorecam", *net,
                                {.common = {.layers = {layer}}, .scorecam = {.batch_size = 4}})
                        ->explain(fx.inputs(DType::Float64), Target::labels(fx.labels()));
    ASSERT_EQ(e.weights.shape(), (Shape{3, 6}));
    std::vector<double> w = values(e.weights);
    for (int64_t n = 0; n < 3; ++n) {
      double sum = 0;
      for (int64_t k = 0; k < 6; ++k) {
        EXPECT_GT(w[n * 6 + k], 0.0);
        sum += w[n * 6 + k];
      }
      EXPECT_NEAR(sum, 1.0, 1e-12) << layer << " image " << n;
    }
  }
}

TEST(CamMethodsIdentities, BatchedResultsEqualOneByOne) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const Tensor labels = fx.labels();
  for (const std::string& method : method_names()) {
    if (method == "randomcam" || method == "smoothgrad" || method == "sscam") {
      continue;  // fresh draws per call
    }
    if (method == "dff") continue;  // its concepts are factorised from the whole batch
    SCOPED_TRACE(method);
    // batch_size 5: the masked/ablated/occluded forwards straddle images.
    MethodSettings settings{.integrated_gradients = {.steps = 4}};
    settings.set_batch_size(5);
    auto explainer = make_method(method, *net, settings);
    Explanation all = explainer->explain(x, Target::labels(labels));
    for (int64_t n = 0; n < 3; ++n) {
      Explanation one =
          explainer->explain(x.narrow(0, n, 1), Target::labels(labels.narrow(0, n, 1)));
      EXPECT_TRUE(
          all_close(values(one.raw), as_array(all.raw.narrow(0, n, 1).contiguous()), 1e-9, 1e-12))
          << "raw of image " << n;
      EXPECT_TRUE(
          all_close(values(one.maps), as_array(all.maps.narrow(0, n, 1).contiguous()), 1e-9, 1e-10))
          << "maps of image " << n;
    }
  }
}

TEST(CamMethodsIdentities, IntegratedGradientsAreComplete) {
  // Σ_pixels IG = y(x) − y(0) as the Riemann sum converges (Sundararajan et al. 2017, §3).
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  Explanation e =
      make_method("integrated-gradients", *net, {.integrated_gradients = {.steps = 512}})
          ->explain(x, Target::labels(fx.labels()));
  std::vector<double> attribution_sums = values(ops::sum(e.attributions, {1, 2, 3}));
  Tensor zero_logits;
  {
    autograd::NoGradGuard no_grad;
    zero_logits = (*net)(ops::zeros_like(x));
  }
  std::vector<double> at_x = values(e.logits), at_zero = values(zero_logits);
  std::vector<double> labels = values(fx.labels());
  for (int64_t n = 0; n < 3; ++n) {
    const auto c = static_cast<int64_t>(labels[n]);
    const double difference = at_x[n * 3 + c] - at_zero[n * 3 + c];
    EXPECT_NEAR(attribution_sums[n], difference, 2e-2 * (1 + std::abs(difference))) << n;
  }
}

TEST(CamMethodsIdentities, SeededMethodsRepeatAndVaryWithTheSeed) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  auto run = [&](const std::string& method, uint64_t seed) {
    MethodSettings settings{.smoothgrad = {.samples = 4}};
    settings.set_seed(seed);  // Random-CAM's and SmoothGrad's own seeds
    return make_method(method, *net, settings)->explain(x);
  };
  for (const std::string method : {"randomcam", "smoothgrad"}) {
    SCOPED_TRACE(method);
    Explanation a = run(method, 1), b = run(method, 1), c = run(method, 2);
    EXPECT_EQ(values(a.raw), values(b.raw));
    EXPECT_NE(values(a.raw), values(c.raw));
  }
  Explanation random = run("randomcam", 3);
  for (double w : values(random.weights)) {
    EXPECT_GE(w, -1.0);
    EXPECT_LT(w, 1.0);
  }
}

TEST(CamMethodsIdentities, SmoothGradWithoutNoiseIsItsBase) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  Explanation smooth =
      make_method("smoothgrad", *net,
                  {.smoothgrad = {.samples = 3, .noise = 0.0, .base = "guided-backprop"}})
          ->explain(x);
  Explanation guided = make_method("guided-backprop", *net)->explain(x);
  EXPECT_TRUE(all_close(values(smooth.attributions), as_array(guided.attributions), 1e-12, 1e-14));
}

TEST(CamMethodsIdentities, TopEigenpairOfAKnownMatrix) {
  Eigenpair top = top_eigenpair({2, 1, 0, 1, 2, 0, 0, 0, 1}, 3);  // eigenvalues 3, 1, 1
  EXPECT_NEAR(top.value, 3.0, 1e-14);
  EXPECT_NEAR(std::abs(top.vector[0]), std::sqrt(0.5), 1e-14);
  EXPECT_NEAR(top.vector[0], top.vector[1], 1e-14);
  EXPECT_NEAR(top.vector[2], 0.0, 1e-14);
}

// Checks X_cX_cᵀp = |p|²p (p = σ₁u₁) and that |p|² is the top eigenvalue.
void expect_top_component(const Tensor& terms) {
  const int64_t k = terms.size(1), hw = terms.size(2) * terms.size(3);
  std::vector<double> x = values(terms);  // [K, hw]
  std::vector<double> p = values(first_component(terms));
  std::vector<double> centered(x.size());
  for (int64_t c = 0; c < k; ++c) {
    double mean = 0;
    for (int64_t i = 0; i < hw; ++i) mean += x[c * hw + i] / static_cast<double>(hw);
    for (int64_t i = 0; i < hw; ++i) centered[c * hw + i] = x[c * hw + i] - mean;
  }
  double norm2 = 0;
  for (double v : p) norm2 += v * v;
  ASSERT_GT(norm2, 0.0);
  for (int64_t i = 0; i < hw; ++i) {  // (X_c X_cᵀ p)_i = Σ_c X_c[i, c] Σ_j X_c[j, c] p_j
    double lhs = 0;
    for (int64_t c = 0; c < k; ++c) {
      double dot = 0;
      for (int64_t j = 0; j < hw; ++j) dot += centered[c * hw + j] * p[j];
      lhs += centered[c * hw + i] * dot;
    }
    EXPECT_NEAR(lhs, norm2 * p[i], 1e-9 * norm2 * (1 + std::abs(p[i])));
  }
  for (int64_t c = 0; c < k; ++c) {  // λ₁ ≥ every diagonal entry of X_cᵀX_c
    double diag = 0;
    for (int64_t i = 0; i < hw; ++i) diag += centered[c * hw + i] * centered[c * hw + i];
    EXPECT_GE(norm2, diag * (1 - 1e-12));
  }
  double agreement = 0;  // the documented sign: with the mean over channels
  for (int64_t i = 0; i < hw; ++i) {
    double mean = 0;
    for (int64_t c = 0; c < k; ++c) mean += x[c * hw + i];
    agreement += p[i] * mean;
  }
  EXPECT_GE(agreement, 0.0);
}

TEST(CamMethodsIdentities, FirstComponentIsTheTopPrincipalComponentWithAFixedSign) {
  Generator gen(5);
  expect_top_component(ops::randn({1, 3, 3, 3}, gen, DType::Float64));  // K <= hw: K x K Gram
  expect_top_component(ops::randn({1, 7, 1, 3}, gen, DType::Float64));  // hw < K: hw x hw Gram
  // One channel: the centered channel itself, sign kept by the mean activation.
  Tensor one = Tensor::from_vector<double>({1, 2, 3, 4}, {1, 1, 2, 2});
  EXPECT_EQ(values(first_component(one)), (std::vector<double>{-1.5, -0.5, 0.5, 1.5}));
  EXPECT_EQ(values(first_component(ops::neg(one))), (std::vector<double>{1.5, 0.5, -0.5, -1.5}));
}

TEST(CamMethodsIdentities, DisplayMapsSpanZeroToOneAndConstantMapsAreZero) {
  Tensor raw = Tensor::from_vector<double>({0, 1, 2, 3, 5, 5, 5, 5}, {2, 2, 2});
  std::vector<double> maps = values(display_maps(raw, 4, 4));
  EXPECT_EQ(*std::min_element(maps.begin(), maps.begin() + 16), 0.0);
  EXPECT_EQ(*std::max_element(maps.begin(), maps.begin() + 16), 1.0);
  for (int i = 16; i < 32; ++i) EXPECT_EQ(maps[i], 0.0);
}

}  // namespace
}  // namespace camlab::cam::test
