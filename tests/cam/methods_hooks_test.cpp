// cam/methods and the model they explain: hooks live exactly as long as the method object, the
// hook path equals a hook-free autograd::grad path, guided backprop and deconvnet apply their
// sign rules, the default target layer is found by probing, and the model's modes survive.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "cam/methods/gradient_cam.h"
#include "cam/methods/map_ops.h"
#include "cam/methods/method.h"
#include "cam/methods/relu_rules.h"
#include "nn/nn.h"
#include "tensor/ops.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

Tensor input_gradient_plain(nn::Module& model, const Tensor& images, int64_t cls) {
  Tensor x = images.clone();
  x.set_requires_grad(true);
  Tensor logits = model(x);
  Tensor score = camlab::sum(camlab::select(logits, 1, cls));
  return autograd::grad({score}, {x})[0];
}

TEST(CamMethodsHooks, HooksAreRemovedWhenTheMethodIsDestroyed) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  for (const std::string& method : method_names()) {
    SCOPED_TRACE(method);
    std::vector<nn::ForwardHookHandle> handles;
    {
      auto explainer = make_method(
          method, *net, {.smoothgrad = {.samples = 2}, .integrated_gradients = {.steps = 2}});
      explainer->explain(x);  // the default layer is hooked on first use
      handles = explainer->hook_handles();
      for (const auto& handle : handles) EXPECT_TRUE(handle.active());
    }
    for (const auto& handle : handles) EXPECT_FALSE(handle.active());
    const bool uses_hooks = method != "saliency" && method != "integrated-gradients" &&
                            method != "occlusion" && method != "smoothgrad";
    EXPECT_EQ(!handles.empty(), uses_hooks);
  }
}

TEST(CamMethodsHooks, GuidedHooksActOnlyInsideTheMethodAndDieWithIt) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const std::vector<double> plain = values(input_gradient_plain(*net, x, 1));
  std::vector<double> guided;
  {
    auto method = make_method("guided-backprop", *net);
    // Outside explain() the hooks are unarmed: ordinary gradients.
    EXPECT_EQ(values(input_gradient_plain(*net, x, 1)), plain);
    guided = values(method->explain(x, Target::fixed(1)).attributions);
  }
  EXPECT_NE(guided, plain);
  EXPECT_EQ(values(input_gradient_plain(*net, x, 1)), plain);
}

TEST(CamMethodsHooks, HookFreeGradCamEqualsTheHookPath) {
  // Run the layers by hand, take dy/dA with autograd::grad on the activation itself, and apply the
  // formulas: no hook anywhere.
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const Tensor labels = fx.labels();
  Tensor a = x;
  for (const std::string layer : {"conv1", "relu1", "pool1", "conv2", "relu2"}) {
    a = net->find(layer).forward(a);
  }
  Tensor logits = net->find("fc").forward(net->find("gap").forward(a));
  Tensor scores = camlab::reshape(camlab::gather(logits, 1, labels.reshape({3, 1})), {3});
  Tensor g = autograd::grad({scores}, {a}, {ops::ones_like(scores)})[0];  // [3, 6, 6, 6]

  for (const auto& [name, kind] : std::vector<std::pair<std::string, GradientCamKind>>{
           {"gradcam", GradientCamKind::GradCam},
           {"gradcam++", GradientCamKind::GradCamPlusPlus},
           {"layercam", GradientCamKind::LayerCam}}) {
    SCOPED_TRACE(name);
    Contributions c = gradient_cam_contributions(kind, camlab::detach(a), g);
    Tensor raw = reduce_contributions(c.terms, false);
    Explanation hooked = make_method(name, *net)->explain(x, Target::labels(labels));
    EXPECT_TRUE(all_close(values(hooked.raw), Array{raw.shape(), values(raw)}, 1e-12, 1e-15));
  }
  // And Grad-CAM from first principles: w_k = mean_ij g, map = ReLU(Σ_k w_k A^k).
  std::vector<double> av = values(a), gv = values(g), want(3 * 36, 0.0);
  for (int n = 0; n < 3; ++n) {
    for (int k = 0; k < 6; ++k) {
      double w = 0;
      for (int i = 0; i < 36; ++i) w += gv[(n * 6 + k) * 36 + i] / 36.0;
      for (int i = 0; i < 36; ++i) want[n * 36 + i] += w * av[(n * 6 + k) * 36 + i];
    }
  }
  for (double& v : want) v = std::max(v, 0.0);
  Explanation hooked = make_method("gradcam", *net)->explain(x, Target::labels(labels));
  EXPECT_TRUE(all_close(values(hooked.raw), Array{{3, 6, 6}, want}, 1e-12, 1e-15));
}

// x [1, 1, 2, 2] -> ReLU -> flatten -> fc (4 -> 1, weights w, no bias): dy/dx = w · 1[x > 0].
std::shared_ptr<nn::Sequential> one_relu_net(const std::vector<double>& w) {
  Generator gen(0);
  auto net = std::make_shared<nn::Sequential>(
      std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{
          {"relu", std::make_shared<nn::ReLU>()},
          {"flatten", std::make_shared<nn::Flatten>()},
          {"fc", std::make_shared<nn::Linear>(4, 1, false, gen)}});
  {
    autograd::NoGradGuard no_grad;  // setting a parameter is no step of the graph
    net->find_as<nn::Linear>("fc").weight.copy_(Tensor::from_vector(w, {1, 4}).to(DType::Float32));
  }
  return net;
}

TEST(CamMethodsHooks, GuidedBackpropAndDeconvnetSignRules) {
  // Incoming gradients w = (+1, −1, +2, −3) at inputs x = (+1, +2, −1, −2):
  //   plain:   w·1[x > 0]            = (1, −1, 0, 0)
  //   guided:  w·1[x > 0]·1[w > 0]  = (1, 0, 0, 0)
  //   deconv:  w·1[w > 0]            = (1, 0, 2, 0)
  auto net = one_relu_net({1, -1, 2, -3});
  const Tensor x = Tensor::from_vector<float>({1, 2, -1, -2}, {1, 1, 2, 2});
  auto attributions = [&](const std::string& method) {
    return values(make_method(method, *net)->explain(x, Target::fixed(0)).attributions);
  };
  EXPECT_EQ(attributions("saliency"), (std::vector<double>{1, -1, 0, 0}));
  EXPECT_EQ(attributions("guided-backprop"), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(attributions("deconvnet"), (std::vector<double>{1, 0, 2, 0}));
  // saliency's raw map is the magnitude
  EXPECT_EQ(values(make_method("saliency", *net)->explain(x, Target::fixed(0)).raw),
            (std::vector<double>{1, 1, 0, 0}));
}

TEST(CamMethodsHooks, GuidedRuleAppliesAtEveryReluOfADeeperNet) {
  // x -> relu1 -> fc1 (4 -> 3) -> relu2 -> fc2 (3 -> 1). By hand: g2 = fc2 weights at relu2's
  // output; guided through relu2: g2·1[z > 0]·1[g2 > 0]; back through fc1; guided through relu1.
  Generator gen(3);
  auto net = std::make_shared<nn::Sequential>(
      std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{
          {"relu1", std::make_shared<nn::ReLU>()},
          {"flatten", std::make_shared<nn::Flatten>()},
          {"fc1", std::make_shared<nn::Linear>(4, 3, true, gen)},
          {"relu2", std::make_shared<nn::ReLU>()},
          {"fc2", std::make_shared<nn::Linear>(3, 1, false, gen)}});
  net->to(DType::Float64);
  const std::vector<double> xs = {0.5, -1.0, 2.0, 1.5};
  const Tensor x = Tensor::from_vector(xs, {1, 1, 2, 2});
  const std::vector<double> w1 = values(net->find_as<nn::Linear>("fc1").weight);  // [3, 4]
  const std::vector<double> b1 = values(net->find_as<nn::Linear>("fc1").bias);
  const std::vector<double> w2 = values(net->find_as<nn::Linear>("fc2").weight);  // [1, 3]
  std::vector<double> want(4, 0.0);
  for (int j = 0; j < 3; ++j) {
    double z = b1[j];
    for (int i = 0; i < 4; ++i) z += w1[j * 4 + i] * std::max(xs[i], 0.0);
    const double g = (z > 0 && w2[j] > 0) ? w2[j] : 0.0;
    for (int i = 0; i < 4; ++i) want[i] += w1[j * 4 + i] * g;
  }
  for (int i = 0; i < 4; ++i) want[i] = (xs[i] > 0 && want[i] > 0) ? want[i] : 0.0;
  Explanation e = make_method("guided-backprop", *net)->explain(x, Target::fixed(0));
  EXPECT_TRUE(all_close(values(e.attributions), Array{{1, 1, 2, 2}, want}, 1e-12, 1e-15));
}

TEST(CamMethodsHooks, RuleReluIsReluForward) {
  Tensor x = Tensor::from_vector<double>({-1, 0, 2}, {3});
  EXPECT_EQ(values(rule_relu(x, ReluRule::Guided)), (std::vector<double>{0, 0, 2}));
  EXPECT_EQ(values(rule_relu(x, ReluRule::Deconvnet)), (std::vector<double>{0, 0, 2}));
}

class NestedNet : public nn::Module {
 public:
  explicit NestedNet(Generator& gen) {
    features = register_module(
        "features", std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
                        std::make_shared<nn::Conv2d>(1, 4, 3, nn::Conv2dOptions{.padding = 1}, gen),
                        std::make_shared<nn::ReLU>()}));
    pool = register_module("pool", std::make_shared<nn::GlobalAvgPool>());
    fc = register_module("fc", std::make_shared<nn::Linear>(4, 3, true, gen));
  }
  Tensor forward(const Tensor& x) override { return (*fc)((*pool)((*features)(x))); }
  std::string type_name() const override { return "NestedNet"; }

  std::shared_ptr<nn::Sequential> features;
  std::shared_ptr<nn::GlobalAvgPool> pool;
  std::shared_ptr<nn::Linear> fc;
};

TEST(CamMethodsHooks, TheDefaultLayerIsTheLastSpatialOutputInnermostFirst) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  EXPECT_EQ(make_method("gradcam", *net)->explain(fx.inputs(DType::Float64)).layer, "relu2");
  Generator gen(1);
  NestedNet nested(gen);
  Explanation e = make_method("cam", nested)->explain(ops::randn({2, 1, 5, 5}, gen));
  EXPECT_EQ(e.layer, "features.1");  // not "features", which returns the same tensor
  EXPECT_EQ(e.raw.shape(), (Shape{2, 5, 5}));
}

TEST(CamMethodsHooks, ExplainUsesEvalModeRestoresModesAndWorksUnderNoGrad) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  auto gradcam = make_method("gradcam", *net);
  const std::vector<double> reference = values(gradcam->explain(x).raw);
  net->train();
  net->find("relu1").eval();  // mixed modes come back as they were
  Explanation e;
  {
    autograd::NoGradGuard no_grad;  // a caller's guard must not break the gradient methods
    e = gradcam->explain(x);
    EXPECT_FALSE(autograd::grad_enabled());
  }
  EXPECT_EQ(values(e.raw), reference);
  EXPECT_TRUE(net->is_training());
  EXPECT_TRUE(net->find("conv2").is_training());
  EXPECT_FALSE(net->find("relu1").is_training());
}

TEST(CamMethodsHooks, FrozenModelsStillHaveActivationGradients) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);
  const std::vector<double> reference = values(make_method("gradcam", *net)->explain(x).raw);
  for (const Tensor& p : net->parameters()) {
    Tensor param = p;
    param.set_requires_grad(false);
  }
  EXPECT_EQ(values(make_method("gradcam", *net)->explain(x).raw), reference);
}

}  // namespace
}  // namespace camlab::cam::test
