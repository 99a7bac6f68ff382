// The later cam/methods against PyTorch: FEM, Faster Score-CAM, SS-CAM, KPCA-CAM, Finer-CAM and
// DFF on the fixture network of tests/fixtures/cam.h5, with references in
// tests/fixtures/cam_extra.h5 (tools/make_cam_fixtures.py extra), float64 on both sides from the
// same float32 weights and images. SS-CAM and DFF are deterministic given their draws, so the
// test feeds them the reference's noise and initial factors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cam/methods/dff.h"
#include "cam/methods/method.h"
#include "cam/methods/ss_cam.h"
#include "tensor/ops.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

constexpr double kRtol = 1e-5;
constexpr double kRawAtol = 1e-9;  // float64 on both sides: only summation order differs
constexpr double kMapAtol = 1e-7;

Array as_array(const Tensor& t) { return Array{t.shape(), values(t)}; }

class ExtraFixture {
 public:
  ExtraFixture() : refs_("cam_extra.h5") {}

  const Fixture& refs() const { return refs_; }
  const CamFixture& cam() const { return cam_; }

  void expect_matches(const std::string& group, const Explanation& e) const {
    SCOPED_TRACE(group);
    EXPECT_TRUE(all_close(values(e.raw), refs_.array(group + "/raw"), kRtol, kRawAtol)) << "raw";
    EXPECT_TRUE(all_close(values(e.maps), refs_.array(group + "/maps"), kRtol, kMapAtol)) << "maps";
    if (refs_.has(group + "/weights")) {
      ASSERT_TRUE(e.weights.defined()) << "no weights";
      EXPECT_TRUE(all_close(values(e.weights), refs_.array(group + "/weights"), kRtol, kRawAtol))
          << "weights";
    }
  }

 private:
  CamFixture cam_;
  Fixture refs_;
};

MethodSettings extra_settings(const ExtraFixture& fx) {
  MethodSettings settings;
  settings.fem.k = fx.refs().number("/", "fem_k");
  settings.fasterscorecam.top_k = fx.refs().ints("/", "faster_top_k")[0];
  settings.set_batch_size(7);  // not a divisor of any count: partial batches are exercised too
  return settings;
}

void expect_method_matches_at_two_layers(const std::string& method) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor x = fx.cam().inputs(DType::Float64);
  const Target target = Target::labels(fx.cam().labels());
  for (const std::string layer : {"relu2", "conv2"}) {
    MethodSettings settings = extra_settings(fx);
    settings.common.layers = {layer};
    Explanation e = make_method(method, *net, settings)->explain(x, target);
    EXPECT_EQ(e.layer, layer);
    EXPECT_EQ(values(e.targets), values(fx.cam().labels()));
    fx.expect_matches(layer + "/" + method, e);
  }
}

TEST(CamExtraMethodsFixture, FemMatchesPyTorchAtTwoLayers) {
  expect_method_matches_at_two_layers("fem");
}

TEST(CamExtraMethodsFixture, FemKSetsTheThreshold) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  MethodSettings settings;
  settings.fem.k = 1.0;
  Explanation e = make_method("fem", *net, settings)
                      ->explain(fx.cam().inputs(DType::Float64), Target::labels(fx.cam().labels()));
  fx.expect_matches("variants/fem_k1", e);
}

TEST(CamExtraMethodsFixture, FasterScoreCamMatchesPyTorchAtTwoLayers) {
  expect_method_matches_at_two_layers("fasterscorecam");
}

TEST(CamExtraMethodsFixture, FasterScoreCamWithEveryChannelIsScoreCam) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor x = fx.cam().inputs(DType::Float64);
  const Target target = Target::labels(fx.cam().labels());
  MethodSettings settings;
  settings.fasterscorecam.top_k = 6;  // every channel of relu2
  Explanation faster = make_method("fasterscorecam", *net, settings)->explain(x, target);
  fx.expect_matches("variants/fasterscorecam_all", faster);
  settings.fasterscorecam.top_k = 100;  // more than K: clamped to K
  faster = make_method("fasterscorecam", *net, settings)->explain(x, target);
  Explanation score = make_method("scorecam", *net, settings)->explain(x, target);
  EXPECT_TRUE(all_close(values(faster.raw), as_array(score.raw), 1e-12, 1e-12));
  EXPECT_TRUE(all_close(values(faster.weights), as_array(score.weights), 1e-12, 1e-12));
}

TEST(CamExtraMethodsFixture, SsCamMatchesPyTorchGivenTheNoise) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor noise =
      to_tensor(fx.refs().array("noise/sscam"), DType::Float64);  // [3, 6, 3, 12, 12]
  for (const std::string layer : {"relu2", "conv2"}) {
    SsCam sscam(*net, {.layers = {layer}},
                {.sigma = fx.refs().number("/", "sscam_sigma"), .batch_size = 7});
    Explanation e = sscam.explain_with_noise(fx.cam().inputs(DType::Float64),
                                             Target::labels(fx.cam().labels()), noise);
    fx.expect_matches(layer + "/sscam", e);
  }
}

TEST(CamExtraMethodsFixture, SsCamWithoutNoiseIsScoreCam) {
  // σ = 0: every copy is Score-CAM's masked image, so the mean score is Score-CAM's.
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor x = fx.cam().inputs(DType::Float64);
  const Target target = Target::labels(fx.cam().labels());
  MethodSettings settings;
  settings.sscam = {.samples = 2, .sigma = 0.0, .batch_size = 5};
  Explanation smooth = make_method("sscam", *net, settings)->explain(x, target);
  Explanation score = make_method("scorecam", *net)->explain(x, target);
  EXPECT_TRUE(all_close(values(smooth.raw), as_array(score.raw), 1e-12, 1e-12));
  EXPECT_TRUE(all_close(values(smooth.weights), as_array(score.weights), 1e-12, 1e-12));
}

TEST(CamExtraMethodsFixture, SsCamIsBatchedAndSeeded) {
  // The same seed gives the same draws; a batch of images gives each image the scores it would
  // get alone with the same draws (its rows of the noise).
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor x = fx.cam().inputs(DType::Float64);
  const Tensor labels = fx.cam().labels();
  MethodSettings settings;
  settings.sscam = {.samples = 4, .sigma = 0.3, .batch_size = 5};
  settings.set_seed(11);
  Explanation first = make_method("sscam", *net, settings)->explain(x, Target::labels(labels));
  Explanation again = make_method("sscam", *net, settings)->explain(x, Target::labels(labels));
  EXPECT_EQ(values(first.raw), values(again.raw));

  const Tensor noise = to_tensor(fx.refs().array("noise/sscam"), DType::Float64);
  SsCam sscam(*net, {}, {.sigma = 0.5, .batch_size = 4});
  Explanation all = sscam.explain_with_noise(x, Target::labels(labels), noise);
  for (int64_t n = 0; n < 3; ++n) {
    Explanation one =
        sscam.explain_with_noise(x.narrow(0, n, 1), Target::labels(labels.narrow(0, n, 1)),
                                 noise.narrow(0, n, 1).contiguous());
    EXPECT_TRUE(
        all_close(values(one.raw), as_array(all.raw.narrow(0, n, 1).contiguous()), 1e-9, 1e-12))
        << "image " << n;
  }
}

TEST(CamExtraMethodsFixture, SsCamNoiseOfTheWrongShapeIsOneLine) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  SsCam sscam(*net);
  const Tensor x = fx.cam().inputs(DType::Float64);
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(sscam.explain_with_noise(
                           x, Target::predicted(), ops::zeros({3, 5, 2, 12, 12}, DType::Float64))),
                       {"sscam", "noise [3, 5, 2, 12, 12]", "[3, 6, n, 12, 12]", "relu2"}));
}

TEST(CamExtraMethodsFixture, KpcaCamMatchesPyTorchAtTwoLayers) {
  expect_method_matches_at_two_layers("kpcacam");  // the default sigmoid kernel
}

TEST(CamExtraMethodsFixture, KpcaCamKernelsMatchPyTorch) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor x = fx.cam().inputs(DType::Float64);
  const Target target = Target::labels(fx.cam().labels());
  const std::vector<std::pair<std::string, KpcaCamOptions>> cases = {
      {"rbf", {.kernel = "rbf"}},
      {"rbf_gamma0.05", {.kernel = "rbf", .gamma = 0.05}},
      {"poly", {.kernel = "poly"}},
      {"linear", {.kernel = "linear"}}};
  for (const auto& [group, options] : cases) {
    MethodSettings settings{.kpcacam = options};
    Explanation e = make_method("kpcacam", *net, settings)->explain(x, target);
    fx.expect_matches("variants/kpcacam_" + group, e);
  }
}

TEST(CamExtraMethodsFixture, KpcaCamWithTheLinearKernelIsEigenCam) {
  // The centred linear kernel is X_cX_cᵀ, whose top eigenpair gives Eigen-CAM's σ₁u₁.
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor x = fx.cam().inputs(DType::Float64);
  for (const std::string layer : {"relu2", "conv2"}) {
    MethodSettings settings{.common = {.layers = {layer}}, .kpcacam = {.kernel = "linear"}};
    Explanation kpca = make_method("kpcacam", *net, settings)->explain(x);
    Explanation eigen = make_method("eigencam", *net, settings)->explain(x);
    EXPECT_TRUE(all_close(values(kpca.raw), as_array(eigen.raw), 1e-8, 1e-10)) << layer;
  }
}

TEST(CamExtraMethodsFixture, KpcaCamUnknownKernelIsOneLine) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  EXPECT_TRUE(
      mentions(CAM_ERROR_MESSAGE(make_method("kpcacam", *net, {.kpcacam = {.kernel = "gauss"}})),
               {"kpcacam", "unknown kernel 'gauss'", "sigmoid", "rbf", "poly", "linear"}));
}

TEST(CamExtraMethodsFixture, FinerCamMatchesPyTorchAtTwoLayers) {
  expect_method_matches_at_two_layers("finercam");  // 3 comparisons, clamped to the 2 others
}

TEST(CamExtraMethodsFixture, FinerCamAlphaComparisonsAndPredictedClassMatchPyTorch) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor x = fx.cam().inputs(DType::Float64);
  Explanation one = make_method("finercam", *net, {.finercam = {.alpha = 0.5, .comparisons = 1}})
                        ->explain(x, Target::labels(fx.cam().labels()));
  fx.expect_matches("variants/finercam_alpha0.5_1", one);
  Explanation predicted = make_method("finercam", *net)->explain(x);
  EXPECT_EQ(values(predicted.targets), fx.cam().array("predicted").values);
  fx.expect_matches("variants/finercam_predicted", predicted);
}

TEST(CamExtraMethodsFixture, Float32RunsAgreeWithTheFloat64References) {
  // What users run: float32 end to end. Maps are normalised, so a loose absolute bound suits.
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float32);
  const Tensor x = fx.cam().inputs(DType::Float32);
  const Target target = Target::labels(fx.cam().labels());
  MethodSettings settings = extra_settings(fx);
  for (const std::string method : {"fem", "fasterscorecam", "kpcacam", "finercam"}) {
    Explanation e = make_method(method, *net, settings)->explain(x, target);
    EXPECT_EQ(e.maps.dtype(), DType::Float32) << method;
    EXPECT_TRUE(all_close(values(e.maps), fx.refs().array("relu2/" + std::string(method) + "/maps"),
                          1e-3, 1e-4))
        << method;
  }
  SsCam sscam(*net, {}, {.sigma = fx.refs().number("/", "sscam_sigma")});
  Explanation e = sscam.explain_with_noise(
      x, target, to_tensor(fx.refs().array("noise/sscam"), DType::Float32));
  EXPECT_EQ(e.maps.dtype(), DType::Float32);
  EXPECT_TRUE(all_close(values(e.maps), fx.refs().array("relu2/sscam/maps"), 1e-3, 1e-4));
}

TEST(CamExtraMethodsFixture, DffMatchesPyTorchGivenTheInitialFactors) {
  // Multiplicative updates from the same start: the factors agree to rounding after 50 steps.
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  const Tensor draws_w = to_tensor(fx.refs().array("noise/dff_w"), DType::Float64);  // [6, 3]
  const Tensor draws_h = to_tensor(fx.refs().array("noise/dff_h"), DType::Float64);  // [3, 108]
  const int64_t iterations = fx.refs().ints("/", "dff_iterations")[0];
  for (const std::string layer : {"relu2", "conv2"}) {
    SCOPED_TRACE(layer);
    Dff dff(*net, {.layers = {layer}}, {.concepts = 3, .iterations = iterations});
    Explanation e = dff.explain_with_draws(fx.cam().inputs(DType::Float64),
                                           Target::labels(fx.cam().labels()), draws_w, draws_h);
    const Factorization& f = dff.factorization();
    const std::string group = layer + "/dff";
    EXPECT_TRUE(all_close(values(f.concepts), fx.refs().array(group + "/concepts"), 1e-6, 1e-9));
    EXPECT_TRUE(all_close(values(f.maps), fx.refs().array(group + "/concept_maps"), 1e-6, 1e-9));
    EXPECT_TRUE(all_close(values(f.scores), fx.refs().array(group + "/scores"), 1e-6, 1e-9));
    EXPECT_TRUE(all_close(values(e.raw), fx.refs().array(group + "/raw"), 1e-6, 1e-9));
    EXPECT_TRUE(all_close(values(e.maps), fx.refs().array(group + "/maps"), 1e-6, 1e-7));
    EXPECT_TRUE(all_close(values(e.weights), fx.refs().array(group + "/weights"), 1e-6, 1e-9));
  }
}

TEST(CamExtraMethodsFixture, DffFactorsReconstructTheShiftedActivations) {
  // NMF's purpose: W·H ≈ X − min per channel with non-negative factors, closer with more steps.
  Generator gen(5);
  const Tensor a = ops::randn({2, 4, 3, 3}, gen, DType::Float64);  // signed, as a conv output
  const Tensor draws_w = ops::randn({4, 3}, gen, DType::Float64);
  const Tensor draws_h = ops::randn({3, 2 * 3 * 3}, gen, DType::Float64);
  const Tensor x = a.permute({1, 0, 2, 3}).contiguous().reshape({4, 18});  // [C, N·h·w]
  const Tensor offset = ops::amin(x, {1}, true);                           // [C, 1]
  auto error_after = [&](int64_t iterations) {
    const Factorization f = factorize_activations(a, iterations, draws_w, draws_h);
    const Tensor w = ops::sub(f.concepts, offset);                                // [C, k]
    const Tensor h = f.maps.permute({1, 0, 2, 3}).contiguous().reshape({3, 18});  // [k, N·h·w]
    EXPECT_GE(values(ops::amin(w)).front(), 0.0);
    EXPECT_GE(values(ops::amin(h)).front(), 0.0);
    const Tensor residual = ops::sub(ops::sub(x, offset), ops::matmul(w, h));
    return values(ops::norm(residual)).front() / values(ops::norm(ops::sub(x, offset))).front();
  };
  const double early = error_after(2), late = error_after(300);
  EXPECT_LT(late, early);
  EXPECT_LT(late, 0.5);  // a rank-3 fit of 4 channels keeps most of the signal
}

TEST(CamExtraMethodsFixture, DffWithoutALinearForTheChannelsIsOneLine) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  // conv1 has 4 channels; the only Linear (fc) takes 6.
  EXPECT_TRUE(mentions(
      CAM_ERROR_MESSAGE(make_method("dff", *net, {.common = {.layers = {"relu1"}}})
                            ->explain(fx.cam().inputs(DType::Float64))),
      {"dff", "no Linear layer takes the 4 channels of layer 'relu1'", "DffOptions::classifier"}));
}

TEST(CamExtraMethodsFixture, OptionsThatCannotWorkAreOneLineErrors) {
  ExtraFixture fx;
  auto net = fx.cam().net(DType::Float64);
  auto message = [&](const std::string& method, const MethodSettings& settings) {
    return CAM_ERROR_MESSAGE(make_method(method, *net, settings));
  };
  EXPECT_TRUE(mentions(message("fem", {.fem = {.k = std::nan("")}}), {"fem", "k must be"}));
  EXPECT_TRUE(mentions(message("fasterscorecam", {.fasterscorecam = {.top_k = 0}}),
                       {"fasterscorecam", "top_k", "got 0"}));
  EXPECT_TRUE(mentions(message("sscam", {.sscam = {.samples = 0}}), {"sscam", "samples"}));
  EXPECT_TRUE(
      mentions(message("sscam", {.sscam = {.sigma = -1}}), {"sscam", "sigma", "non-negative"}));
  EXPECT_TRUE(mentions(message("kpcacam", {.kpcacam = {.gamma = -1}}), {"kpcacam", "gamma"}));
  EXPECT_TRUE(mentions(message("finercam", {.finercam = {.comparisons = 0}}),
                       {"finercam", "comparisons 0"}));
  EXPECT_TRUE(mentions(message("dff", {.dff = {.concepts = 0}}), {"dff", "concepts", "got 0"}));
  EXPECT_TRUE(mentions(message("dff", {.dff = {.classifier = "head"}}), {"dff", "head", "fc"}));
}

}  // namespace
}  // namespace camlab::cam::test
