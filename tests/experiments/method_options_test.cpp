// explain.* method options reach the methods: each key read by config_method_settings changes
// what the method computes on the cam.h5 fixture network (tests/cam/cam_methods_fixture.h), so
// the value is seen to arrive, not merely to be accepted by the schema.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "experiments/config/config.h"
#include "experiments/explain/config_method_settings.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::experiments {
namespace {

using cam::test::CamFixture;
using cam::test::values;

// A config only as the carrier of explain.* keys; the network is the fixture's.
const char* kLayers = R"([model]
layers = [
  {type = "conv", out = 4, pad = 1, name = "conv1"},
  {type = "relu"},
  {type = "gap"},
  {type = "linear", out = 3, name = "fc"},
]
)";

cam::Explanation explain_with(const std::string& method, const std::vector<std::string>& keys) {
  const Config cfg = parse_config(kLayers, "options.toml", keys);
  cam::MethodSettings settings = config_method_settings(cfg);
  settings.common.layers = {"relu2"};
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  return cam::make_method(method, *net, settings)
      ->explain(fx.inputs(DType::Float64), cam::Target::labels(fx.labels()));
}

// The largest |a − b| over two maps [N, H, W].
double max_difference(const cam::Explanation& a, const cam::Explanation& b) {
  const std::vector<double> x = values(a.maps), y = values(b.maps);
  EXPECT_EQ(x.size(), y.size());
  double most = 0;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i)
    most = std::max(most, std::abs(x[i] - y[i]));
  return most;
}

TEST(MethodOptions, FasterScoreCamTopKReachesIt) {
  // relu2 has 6 channels: top_k = 6 scores them all (Score-CAM), top_k = 1 keeps one.
  const cam::Explanation one = explain_with("fasterscorecam", {"explain.fasterscorecam.top_k=1"});
  const cam::Explanation all = explain_with("fasterscorecam", {"explain.fasterscorecam.top_k=6"});
  EXPECT_GT(max_difference(one, all), 1e-3);
  EXPECT_LT(max_difference(all, explain_with("scorecam", {})), 1e-6);
}

TEST(MethodOptions, FinerCamAlphaAndComparisonsReachIt) {
  // α = 0 is Grad-CAM (Zhang et al. 2025: y^c − 0·y^j).
  const cam::Explanation plain = explain_with("finercam", {"explain.finercam.alpha=0"});
  EXPECT_LT(max_difference(plain, explain_with("gradcam", {})), 1e-6);
  const cam::Explanation contrast = explain_with("finercam", {"explain.finercam.alpha=1"});
  EXPECT_GT(max_difference(plain, contrast), 1e-3);
  const cam::Explanation two =
      explain_with("finercam", {"explain.finercam.alpha=1", "explain.finercam.comparisons=2"});
  const cam::Explanation one =
      explain_with("finercam", {"explain.finercam.alpha=1", "explain.finercam.comparisons=1"});
  EXPECT_GT(max_difference(one, two), 1e-6);
}

TEST(MethodOptions, KpcaCamKernelAndItsParametersReachIt) {
  const cam::Explanation sigmoid = explain_with("kpcacam", {});
  const cam::Explanation rbf = explain_with("kpcacam", {"explain.kpcacam.kernel=rbf"});
  EXPECT_GT(max_difference(sigmoid, rbf), 1e-3);
  const cam::Explanation narrow =
      explain_with("kpcacam", {"explain.kpcacam.kernel=rbf", "explain.kpcacam.gamma=5.0"});
  EXPECT_GT(max_difference(rbf, narrow), 1e-3);
  const cam::Explanation cubic = explain_with("kpcacam", {"explain.kpcacam.kernel=poly"});
  const cam::Explanation square =
      explain_with("kpcacam", {"explain.kpcacam.kernel=poly", "explain.kpcacam.degree=2"});
  EXPECT_GT(max_difference(cubic, square), 1e-6);
  const cam::Explanation shifted = explain_with("kpcacam", {"explain.kpcacam.coef0=-0.5"});
  EXPECT_GT(max_difference(sigmoid, shifted), 1e-6);
}

TEST(MethodOptions, DffConceptsAndClassifierReachIt) {
  // The weights [N, k] are every concept's score for the target class.
  EXPECT_EQ(explain_with("dff", {"explain.dff.concepts=2"}).weights.size(1), 2);
  EXPECT_EQ(explain_with("dff", {"explain.dff.concepts=4"}).weights.size(1), 4);
  const cam::Explanation named = explain_with("dff", {"explain.dff.classifier=fc"});
  EXPECT_LT(max_difference(named, explain_with("dff", {})), 1e-12);  // fc is the automatic choice
}

TEST(MethodOptions, SsCamAndFemOptionsReachThem) {
  const cam::Explanation quiet =
      explain_with("sscam", {"explain.sscam.samples=2", "explain.sscam.sigma=0"});
  const cam::Explanation noisy =
      explain_with("sscam", {"explain.sscam.samples=2", "explain.sscam.sigma=3"});
  EXPECT_GT(max_difference(quiet, noisy), 1e-6);
  EXPECT_GT(max_difference(explain_with("fem", {"explain.fem.k=0"}),
                           explain_with("fem", {"explain.fem.k=2"})),
            1e-6);
}

}  // namespace
}  // namespace camlab::experiments
