// FullGrad and Seg-Eigen-CAM against PyTorch on the batch-norm network of
// tests/fixtures/cam_fullgrad.h5 (tools/make_fullgrad_fixtures.py), float64 on both sides from the
// same float32 weights and images; plus the full-gradient completeness identity that FullGrad's
// bias terms rest on. Batching (each image alone gives its rows of the batch) is checked for every
// registered method in methods_properties_test. The ONNX side (batch norm folded into Conv) is
// tests/onnx/full_grad_onnx_test.
#include "tests/cam/full_grad_fixture.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/ops.h"
#include "cam/methods/full_grad.h"
#include "cam/methods/grad_guard.h"
#include "cam/methods/seg_eigen_cam.h"
#include "tensor/ops.h"

namespace camlab::cam::test {
namespace {

constexpr double kRtol = 1e-6;  // float64 on both sides: only summation order and the SVD differ
constexpr double kAtol = 1e-9;

void expect_matches(const FullGradFixture& fx, const std::string& group, const Explanation& e) {
  SCOPED_TRACE(group);
  EXPECT_TRUE(all_close(values(e.raw), fx.refs().array(group + "/raw"), kRtol, kAtol)) << "raw";
  EXPECT_TRUE(all_close(values(e.maps), fx.refs().array(group + "/maps"), kRtol, kAtol)) << "maps";
}

TEST(FullGradFixture, MatchesPyTorchOnABatchNormNet) {
  FullGradFixture fx;
  auto net = fx.net(DType::Float64);
  Explanation e = make_method("fullgrad", *net)
                      ->explain(fx.inputs(DType::Float64), Target::labels(fx.labels()));
  EXPECT_EQ(values(e.targets), values(fx.labels()));
  EXPECT_EQ(e.layer, "conv1,bn1,bn2");
  expect_matches(fx, "fullgrad", e);
}

TEST(FullGradFixture, UsesEveryConvAndBatchNormWithABias) {
  FullGradFixture fx;
  auto net = fx.net(DType::Float64);
  FullGrad fullgrad(*net, {.layers = {"relu2"}});  // ignored, as pytorch-grad-cam
  EXPECT_EQ(fullgrad.layers(), (std::vector<std::string>{"conv1", "bn1", "bn2"}));  // conv2: none
  // bn's effective bias: β − μ·γ/√(σ² + ε).
  const auto& bn = net->find_as<nn::BatchNorm2d>("bn2");
  const std::vector<BiasLayer> layers = bias_layers(*net);
  const std::vector<double> gamma = values(bn.weight), beta = values(bn.bias),
                            mean = values(bn.running_mean), var = values(bn.running_var),
                            got = values(layers[2].bias);
  for (size_t k = 0; k < gamma.size(); ++k) {
    EXPECT_NEAR(got[k], beta[k] - mean[k] * gamma[k] / std::sqrt(var[k] + 1e-5), 1e-12) << k;
  }
}

TEST(FullGradFixture, BiasGradientsCompleteTheInputGradient) {
  // Srinivas & Fleuret 2019, Eq. 2: a piecewise-linear net (ReLU, max pool, eval batch norm) is
  // f(x) = ∇ₓf·x + Σ_layers Σ_k b_k·Σ_ij ∂f/∂z_kij + b_fc. Checks the biases bias_layers finds.
  FullGradFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor labels = fx.labels();
  const std::vector<BiasLayer> layers = bias_layers(*net);
  std::vector<Tensor> outputs(layers.size());  // per layer [N, K, h, w]
  std::vector<nn::ScopedForwardHook> hooks;
  for (size_t l = 0; l < layers.size(); ++l) {
    hooks.emplace_back(
        net->find(layers[l].name)
            .register_forward_hook([&outputs, l](nn::Module&, const Tensor&, const Tensor& output) {
              outputs[l] = output;
            }));
  }
  EnableGradGuard grad;
  Tensor x = fx.inputs(DType::Float64);  // [3, 2, 12, 12]
  x.set_requires_grad(true);
  const Tensor scores = Target::labels(labels).scores((*net)(x), labels, "test");  // [3]
  std::vector<Tensor> wrt = {x};
  wrt.insert(wrt.end(), outputs.begin(), outputs.end());
  const std::vector<Tensor> grads = autograd::grad({scores}, wrt, {ops::ones_like(scores)});
  Tensor total = ops::sum(ops::mul(grads[0], camlab::detach(x)), {1, 2, 3});  // [3]
  for (size_t l = 0; l < layers.size(); ++l) {
    const Tensor per_channel = ops::sum(grads[l + 1], {2, 3});  // [3, K]
    total = ops::add(total, ops::sum(ops::mul(per_channel, camlab::detach(layers[l].bias)), {1}));
  }
  const std::vector<double> fc_bias = values(net->find_as<nn::Linear>("fc").bias);
  const std::vector<double> want = values(scores), got = values(total);
  for (size_t n = 0; n < want.size(); ++n) {
    EXPECT_NEAR(got[n] + fc_bias[static_cast<size_t>(values(labels)[n])], want[n], 1e-10) << n;
  }
}

TEST(FullGradFixture, Float32AgreesWithTheFloat64Reference) {
  FullGradFixture fx;
  auto net = fx.net(DType::Float32);
  Explanation e = make_method("fullgrad", *net)
                      ->explain(fx.inputs(DType::Float32), Target::labels(fx.labels()));
  EXPECT_EQ(e.maps.dtype(), DType::Float32);
  EXPECT_TRUE(all_close(values(e.maps), fx.refs().array("fullgrad/maps"), 1e-4, 1e-4));
}

TEST(FullGradFixture, BatchNormWithoutRunningStatisticsIsOneLine) {
  auto net = std::make_shared<nn::Sequential>(
      std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{
          {"conv", std::make_shared<nn::Conv2d>(1, 2, 3)},
          {"norm", std::make_shared<nn::BatchNorm2d>(
                       2, nn::BatchNormOptions{.track_running_stats = false})}});
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(make_method("fullgrad", *net)),
                       {"fullgrad", "batch norm 'norm'", "track_running_stats"}));
}

TEST(SegEigenCamFixture, MatchesPyTorchAtTwoLayers) {
  FullGradFixture fx;
  auto net = fx.net(DType::Float64);
  for (const std::string layer : {"relu2", "conv1"}) {
    Explanation e = make_method("segeigencam", *net, {.common = {.layers = {layer}}})
                        ->explain(fx.inputs(DType::Float64), Target::labels(fx.labels()));
    EXPECT_EQ(e.layer, layer);
    expect_matches(fx, layer + "/segeigencam", e);
  }
}

TEST(SegEigenCamFixture, IsTheSameOnEitherSideOfAReLU) {
  // |∂y/∂A| ⊙ A: below the ReLU the gradient is masked where A ≤ 0, which zeroes the same terms
  // the ReLU zeroes above it; eigen_smooth changes nothing (the map is a projection already).
  FullGradFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const Target target = Target::labels(fx.labels());
  MethodSettings below{.common = {.layers = {"bn2"}, .eigen_smooth = true}};
  Explanation e = make_method("segeigencam", *net, below)->explain(x, target);
  expect_matches(fx, "relu2/segeigencam", e);
}

TEST(SegEigenCamFixture, SignCorrectionMakesTheLargerSidePositive) {
  // Two channels, one spatial pattern: the projection is ±(pattern − mean); Eq. 13 picks the sign
  // whose largest magnitude is positive, whatever sign the eigensolver returned.
  const Tensor pattern =
      Tensor::from_vector<double>({0.0, 0.0, 0.0, 4.0}, {1, 1, 2, 2});  // one spike
  const Tensor terms = ops::cat({pattern, ops::mul(pattern, 2.0)}, 1);  // [1, 2, 2, 2]
  const std::vector<double> p = values(sign_corrected_component(terms));
  EXPECT_GT(p[3], 0.0);
  EXPECT_NEAR(p[3], 3.0 * std::sqrt(5.0), 1e-9);  // (4 − 1)·(1, 2)·v₁, v₁ = (1, 2)/√5
  EXPECT_NEAR(p[0], -std::sqrt(5.0), 1e-9);
  const std::vector<double> flipped = values(sign_corrected_component(ops::mul(terms, -1.0)));
  EXPECT_NEAR(flipped[3], 3.0 * std::sqrt(5.0), 1e-9);  // a dip becomes positive too
}

}  // namespace
}  // namespace camlab::cam::test
