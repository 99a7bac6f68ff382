// Sequential's Conv2d -> ReLU fusion (nn/sequential.h): the same values and gradients as the
// separate layers, bit for bit, and no fusion where a hook must see the layers' own tensors.
#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

using test::values;

std::shared_ptr<Sequential> small_net(Generator& gen) {
  return std::make_shared<Sequential>(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
      {"conv1", std::make_shared<Conv2d>(2, 8, 3, Conv2dOptions{.padding = 1}, gen)},
      {"relu1", std::make_shared<ReLU>()},
      {"conv2", std::make_shared<Conv2d>(8, 8, 3, Conv2dOptions{.stride = 2, .padding = 1}, gen)},
      {"relu2", std::make_shared<ReLU>()},
      {"conv3", std::make_shared<Conv2d>(8, 4, 3, Conv2dOptions{.padding = 1}, gen)},
  });
}

struct Pass {
  Tensor output;                  // [N, 4, 5, 5]
  std::vector<Tensor> gradients;  // every parameter's, in named_parameters() order
  std::string last_relu_node;     // the op that made relu2's output: "conv2d" when fused
};

Pass forward_backward(Sequential& net, const Tensor& x) {
  net.zero_grad();
  Pass pass;
  ScopedForwardHook capture =
      net.find("conv3").register_forward_pre_hook([&](Module&, const Tensor& input) {
        pass.last_relu_node = input.grad_fn() ? input.grad_fn()->name() : "";
      });
  pass.output = net(x);
  backward(camlab::sum(camlab::mul(pass.output, pass.output)));
  for (const auto& [name, p] : net.named_parameters()) pass.gradients.push_back(p.grad());
  return pass;
}

TEST(ConvReluFusion, SameValuesAndGradientsAsTheSeparateLayers) {
  Generator gen(3);
  auto net = small_net(gen);
  const Tensor x = ops::randn({3, 2, 9, 9}, gen);  // [N, C, H, W]
  const Pass fused = forward_backward(*net, x);
  EXPECT_EQ(fused.last_relu_node, "conv2d") << "conv2 + relu2 ran as one op";

  // A do-nothing hook on each ReLU turns the fusion off for its pair.
  std::vector<ScopedForwardHook> observers;
  for (const char* relu : {"relu1", "relu2"}) {
    observers.emplace_back(
        net->find(relu).register_forward_hook([](Module&, const Tensor&, const Tensor&) {}));
  }
  const Pass separate = forward_backward(*net, x);
  EXPECT_EQ(separate.last_relu_node, "relu");
  EXPECT_EQ(values(fused.output), values(separate.output));
  ASSERT_EQ(fused.gradients.size(), separate.gradients.size());
  for (size_t i = 0; i < fused.gradients.size(); ++i) {
    EXPECT_EQ(values(fused.gradients[i]), values(separate.gradients[i])) << "parameter " << i;
  }
}

TEST(ConvReluFusion, TheSwitchTurnsItOffEverywhere) {
  Generator gen(5);
  auto net = small_net(gen);
  const Tensor x = ops::randn({2, 2, 9, 9}, gen);
  const bool before = conv_relu_fusion();
  set_conv_relu_fusion(false);
  const Pass separate = forward_backward(*net, x);
  set_conv_relu_fusion(true);
  const Pass fused = forward_backward(*net, x);
  set_conv_relu_fusion(before);
  EXPECT_EQ(separate.last_relu_node, "relu");
  EXPECT_EQ(fused.last_relu_node, "conv2d");
  EXPECT_EQ(values(fused.output), values(separate.output));
}

TEST(ConvReluFusion, AHookOnTheConvolutionSeesItsOwnOutput) {
  Generator gen(4);
  auto net = small_net(gen);
  const Tensor x = ops::randn({2, 2, 9, 9}, gen);
  double smallest = 0;
  ScopedForwardHook hook = net->find("conv1").register_forward_hook(
      [&](Module&, const Tensor&, const Tensor& y) { smallest = camlab::amin(y).item(); });
  net->eval();
  (*net)(x);
  EXPECT_LT(smallest, 0.0) << "the hook saw the pre-activation, not the fused ReLU's output";
}

}  // namespace
}  // namespace camlab::nn
