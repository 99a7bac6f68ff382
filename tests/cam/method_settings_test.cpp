// cam/methods: make_method hands each method its own part of MethodSettings. A whole-image
// occlusion patch and a one-step integrated gradients have closed forms, so the settings are
// seen to arrive, not merely to be accepted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "cam/methods/method.h"
#include "tensor/ops.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

// The model's logits [N, K] for images [N, C, H, W], without gradients.
Tensor logits_of(nn::Module& net, const Tensor& images) {
  autograd::NoGradGuard no_grad;
  return net(images);
}

TEST(CamMethodSettings, OcclusionTakesPatchStrideAndBaselineFromTheSettings) {
  // One 12x12 patch over a 12x12 image: every pixel's drop is y_c(x) − y_c(baseline image).
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);  // [3, 1, 12, 12]
  MethodSettings settings;
  settings.occlusion = {.patch = 12, .stride = 12, .baseline = 0.5};
  settings.integrated_gradients.steps = 1;  // another method's part: occlusion must ignore it
  Explanation e = make_method("occlusion", *net, settings)->explain(x, Target::labels(fx.labels()));

  const std::vector<double> at_x = values(e.logits);
  const std::vector<double> at_baseline =
      values(logits_of(*net, ops::add(ops::mul(x, 0.0), 0.5)));  // [3, 3]
  const std::vector<double> labels = values(fx.labels());
  const std::vector<double> raw = values(e.raw);  // [3, 12, 12]
  ASSERT_EQ(raw.size(), 3u * 144u);
  for (int64_t n = 0; n < 3; ++n) {
    const auto c = static_cast<int64_t>(labels[n]);
    const double drop = at_x[n * 3 + c] - at_baseline[n * 3 + c];
    for (int64_t p = 0; p < 144; ++p) EXPECT_NEAR(raw[n * 144 + p], drop, 1e-9) << n << " " << p;
  }

  // The default 4x4 patch gives a map that varies over the image.
  Explanation by_default = make_method("occlusion", *net)->explain(x, Target::labels(fx.labels()));
  const std::vector<double> default_raw = values(by_default.raw);
  EXPECT_NE(default_raw.front(), default_raw[5 * 12 + 5]);
}

TEST(CamMethodSettings, IntegratedGradientsStepsReachItAndSmoothGradsBase) {
  // With m = 1 the Riemann sum is the gradient at x itself: IG = x·dy/dx (Sundararajan et al.
  // 2017, eq. 3), and SmoothGrad without noise averages that same attribution.
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const Target target = Target::labels(fx.labels());
  const Tensor gradient = make_method("saliency", *net)->explain(x, target).attributions;
  const std::vector<double> want = values(ops::mul(x, gradient));  // [3, 1, 12, 12]

  MethodSettings settings{.integrated_gradients = {.steps = 1}};
  const Explanation ig = make_method("integrated-gradients", *net, settings)->explain(x, target);
  EXPECT_TRUE(all_close(values(ig.attributions), Array{x.shape(), want}, 1e-12, 1e-12));

  settings.smoothgrad = {.samples = 2, .noise = 0.0, .base = "integrated-gradients"};
  const Explanation smooth = make_method("smoothgrad", *net, settings)->explain(x, target);
  EXPECT_TRUE(all_close(values(smooth.attributions), Array{x.shape(), want}, 1e-12, 1e-12));

  // A grey baseline x' = 0.5: the one step is at x itself, scaled by x − x'.
  settings.integrated_gradients.baseline = 0.5;
  const Explanation grey = make_method("integrated-gradients", *net, settings)->explain(x, target);
  const std::vector<double> want_grey = values(ops::mul(ops::add(x, -0.5), gradient));
  EXPECT_TRUE(all_close(values(grey.attributions), Array{x.shape(), want_grey}, 1e-12, 1e-12));

  // The default 32 steps integrate along the path and differ from the one-step value.
  const Explanation by_default = make_method("integrated-gradients", *net)->explain(x, target);
  EXPECT_FALSE(all_close(values(by_default.attributions), Array{x.shape(), want}, 1e-6, 1e-9));
}

}  // namespace
}  // namespace camlab::cam::test
