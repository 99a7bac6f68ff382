// cam/methods against PyTorch: every method's raw map, display map (and channel weights or pixel
// attributions) on the fixture network of tests/fixtures/cam.h5, computed in float64 from the same
// float32 weights and images by tools/make_cam_fixtures.py. Random-CAM and SmoothGrad are
// deterministic given their draws, so the test feeds them the reference's draws.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cam/methods/method.h"
#include "cam/methods/random_cam.h"
#include "cam/methods/smooth_grad.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

constexpr double kRtol = 1e-5;
constexpr double kRawAtol = 1e-9;  // float64 on both sides: only summation order differs
constexpr double kMapAtol = 1e-7;

void expect_matches(const CamFixture& fx, const std::string& group, const Explanation& e) {
  SCOPED_TRACE(group);
  EXPECT_TRUE(all_close(values(e.raw), fx.array(group + "/raw"), kRtol, kRawAtol)) << "raw";
  EXPECT_TRUE(all_close(values(e.maps), fx.array(group + "/maps"), kRtol, kMapAtol)) << "maps";
  if (fx.has(group + "/weights")) {
    ASSERT_TRUE(e.weights.defined()) << "no weights";
    EXPECT_TRUE(all_close(values(e.weights), fx.array(group + "/weights"), kRtol, kRawAtol))
        << "weights";
  }
  if (fx.has(group + "/attributions")) {
    ASSERT_TRUE(e.attributions.defined()) << "no attributions";
    EXPECT_TRUE(
        all_close(values(e.attributions), fx.array(group + "/attributions"), kRtol, kRawAtol))
        << "attributions";
  }
}

MethodSettings fixture_settings(const CamFixture& fx) {
  MethodSettings settings;
  settings.integrated_gradients.steps = static_cast<int64_t>(fx.file().ints("/", "ig_steps")[0]);
  settings.occlusion.patch = fx.file().ints("/", "occlusion_patch")[0];
  settings.occlusion.stride = fx.file().ints("/", "occlusion_stride")[0];
  settings.occlusion.baseline = fx.file().number("/", "occlusion_baseline");
  settings.smoothgrad.noise = fx.file().number("/", "smooth_noise");
  settings.set_batch_size(7);  // not a divisor of any count: partial batches are exercised too
  return settings;
}

const std::vector<std::string> kActivationMethods = {
    "cam",         "gradcam",  "gradcam++",           "xgradcam",
    "layercam",    "hirescam", "gradcam-elementwise", "scorecam",
    "ablationcam", "eigencam", "eigengradcam"};

TEST(CamMethodsFixture, ActivationMapsMatchPyTorchAtTwoLayers) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const Target target = Target::labels(fx.labels());
  for (const std::string layer : {"relu2", "conv2"}) {
    for (const std::string& method : kActivationMethods) {
      if (method == "cam" && layer == "conv2") continue;  // CAM needs the layer feeding GAP + fc
      MethodSettings settings = fixture_settings(fx);
      settings.common.layers = {layer};
      Explanation e = make_method(method, *net, settings)->explain(x, target);
      EXPECT_EQ(e.layer, layer);
      EXPECT_EQ(values(e.targets), values(fx.labels()));
      expect_matches(fx, layer + "/" + method, e);
    }
  }
}

TEST(CamMethodsFixture, RandomCamMatchesGivenTheDrawnWeights) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor weights = to_tensor(fx.array("noise/randomcam"), DType::Float64);  // [3, 6]
  for (const std::string layer : {"relu2", "conv2"}) {
    RandomCam random(*net, {.layers = {layer}});
    Explanation e = random.explain_with_weights(fx.inputs(DType::Float64),
                                                Target::labels(fx.labels()), weights);
    expect_matches(fx, layer + "/randomcam", e);
  }
}

TEST(CamMethodsFixture, PixelAttributionsMatchPyTorch) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const Target target = Target::labels(fx.labels());
  for (const std::string method : {"saliency", "guided-backprop", "deconvnet",
                                   "integrated-gradients", "occlusion", "guided-gradcam"}) {
    Explanation e = make_method(method, *net, fixture_settings(fx))->explain(x, target);
    EXPECT_EQ(e.layer, method == std::string("guided-gradcam") ? "relu2" : "") << method;
    expect_matches(fx, std::string("pixel/") + method, e);
  }
}

TEST(CamMethodsFixture, SmoothGradMatchesGivenTheNoise) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const MethodSettings settings = fixture_settings(fx);
  SmoothGrad smooth(*net, settings.common, settings.smoothgrad, settings);
  const Tensor noise =
      to_tensor(fx.array("noise/smoothgrad"), DType::Float64);  // [6, 3, 1, 12, 12]
  Explanation e =
      smooth.explain_with_noise(fx.inputs(DType::Float64), Target::labels(fx.labels()), noise);
  expect_matches(fx, "pixel/smoothgrad", e);
}

TEST(CamMethodsFixture, SeveralLayersFuseByTheMeanOfTheirMaps) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  Explanation e = make_method("gradcam", *net, {.common = {.layers = {"relu1", "relu2"}}})
                      ->explain(fx.inputs(DType::Float64), Target::labels(fx.labels()));
  EXPECT_EQ(e.layer, "relu1,relu2");
  EXPECT_EQ(e.weights.shape(), (Shape{3, 4 + 6}));
  expect_matches(fx, "variants/gradcam_relu1_relu2", e);
}

TEST(CamMethodsFixture, AugSmoothAndEigenSmoothMatchPyTorch) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const Target target = Target::labels(fx.labels());
  Explanation aug =
      make_method("gradcam", *net, {.common = {.aug_smooth = true}})->explain(x, target);
  expect_matches(fx, "variants/gradcam_aug_smooth", aug);
  EXPECT_TRUE(all_close(values(aug.logits), fx.array("logits"), kRtol, kRawAtol));

  Explanation eigen =
      make_method("gradcam", *net, {.common = {.eigen_smooth = true}})->explain(x, target);
  expect_matches(fx, "variants/gradcam_eigen_smooth", eigen);
  Explanation eigen_pp =
      make_method("gradcam++", *net, {.common = {.layers = {"conv2"}, .eigen_smooth = true}})
          ->explain(x, target);
  expect_matches(fx, "variants/gradcam++_conv2_eigen_smooth", eigen_pp);
}

TEST(CamMethodsFixture, TargetsPredictedFixedAndSoftmaxScore) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  auto gradcam = make_method("gradcam", *net);

  Explanation predicted = gradcam->explain(x);  // Target::predicted() by default
  EXPECT_EQ(values(predicted.targets), fx.array("predicted").values);
  EXPECT_TRUE(all_close(values(predicted.logits), fx.array("logits"), kRtol, kRawAtol));
  expect_matches(fx, "variants/gradcam_predicted", predicted);

  Explanation fixed = gradcam->explain(x, Target::fixed(2));
  EXPECT_EQ(values(fixed.targets), (std::vector<double>{2, 2, 2}));
  expect_matches(fx, "variants/gradcam_fixed2", fixed);

  Explanation softmax =
      gradcam->explain(x, Target::labels(fx.labels()).with_score(softmax_score()));
  expect_matches(fx, "variants/gradcam_softmax_score", softmax);
}

TEST(CamMethodsFixture, Float32RunsAgreeWithTheFloat64References) {
  // What users run: float32 end to end. Maps are normalised, so a loose absolute bound suits.
  CamFixture fx;
  auto net = fx.net(DType::Float32);
  const Tensor x = fx.inputs(DType::Float32);
  const Target target = Target::labels(fx.labels());
  for (const std::string method : {"gradcam", "gradcam++", "scorecam", "ablationcam", "eigencam"}) {
    Explanation e = make_method(method, *net)->explain(x, target);
    EXPECT_EQ(e.maps.dtype(), DType::Float32) << method;
    EXPECT_TRUE(
        all_close(values(e.maps), fx.array("relu2/" + std::string(method) + "/maps"), 1e-3, 1e-4))
        << method;
  }
}

}  // namespace
}  // namespace camlab::cam::test
