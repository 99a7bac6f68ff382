// ShapleyCAM against PyTorch (tests/fixtures/shapley_cam.h5, tools/make_shapley_fixture.py): the
// Hessian-vector product H·A by double backward, the corrected weights mean(g − ½·H·A) and the
// maps, on the fixture network of cam.h5 in float64, at relu2 and conv2, for a softmax target
// (H·A ≠ 0) and a logit target (H·A = 0 on this piecewise-linear net, so it equals Grad-CAM).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "cam/methods/method.h"
#include "cam/methods/target.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

constexpr double kRtol = 1e-5;
constexpr double kAtol = 1e-9;  // float64 on both sides: only summation order differs

Array as_array(const Tensor& t) { return Array{t.shape(), values(t)}; }

Target target_for(const std::string& score, const Tensor& labels) {
  Target target = Target::labels(labels);
  return score == "softmax" ? target.with_score(softmax_score()) : target;
}

Explanation explain_at(const std::string& method, const std::string& layer,
                       const std::string& score) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  MethodSettings settings;
  settings.common.layers = {layer};
  return make_method(method, *net, settings)
      ->explain(fx.inputs(DType::Float64), target_for(score, fx.labels()));
}

TEST(ShapleyCamFixture, MatchesPyTorchForSoftmaxAndLogitTargets) {
  const Fixture refs("shapley_cam.h5");
  for (const std::string score : {"softmax", "logit"}) {
    for (const std::string layer : {"relu2", "conv2"}) {
      const std::string group = score + "/" + layer;
      SCOPED_TRACE(group);
      const Explanation e = explain_at("shapleycam", layer, score);
      EXPECT_EQ(e.layer, layer);
      EXPECT_TRUE(all_close(values(e.weights), refs.array(group + "/weights"), kRtol, kAtol));
      EXPECT_TRUE(all_close(values(e.raw), refs.array(group + "/raw"), kRtol, kAtol));
      EXPECT_TRUE(all_close(values(e.maps), refs.array(group + "/maps"), kRtol, 1e-7));
    }
  }
}

// The fixture's softmax case must exercise the second-order term, or the test above would not
// tell ShapleyCAM from Grad-CAM.
TEST(ShapleyCamFixture, SoftmaxTargetDiffersFromGradCamLogitTargetEqualsIt) {
  const Fixture refs("shapley_cam.h5");
  double largest = 0;
  for (double v : refs.array("softmax/relu2/hessian_product").values) {
    largest = std::max(largest, std::abs(v));
  }
  EXPECT_GT(largest, 1e-4);
  const Explanation shapley = explain_at("shapleycam", "relu2", "logit");
  const Explanation gradcam = explain_at("gradcam", "relu2", "logit");
  EXPECT_TRUE(all_close(values(shapley.raw), as_array(gradcam.raw), 0, 1e-12));
  const Explanation shapley_softmax = explain_at("shapleycam", "relu2", "softmax");
  const Explanation gradcam_softmax = explain_at("gradcam", "relu2", "softmax");
  EXPECT_FALSE(
      all_close(values(shapley_softmax.weights), as_array(gradcam_softmax.weights), 1e-3, 1e-9));
}

}  // namespace
}  // namespace camlab::cam::test
