// Module: registration order, PyTorch dotted names, find(), printing, modes and placement.
#include <gtest/gtest.h>

#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"
#include "tests/nn/tiny_net.h"

namespace camlab::nn {
namespace {

using test::TinyNet;

TEST(Module, NamedParametersFollowRegistrationOrderWithDottedNames) {
  Generator gen(0);
  TinyNet net(gen);
  EXPECT_EQ(net.named_parameters().keys(),
            (std::vector<std::string>{"features.0.weight", "features.0.bias", "features.1.weight",
                                      "features.1.bias", "fc.weight", "fc.bias"}));
  EXPECT_EQ(net.named_buffers().keys(),
            (std::vector<std::string>{"features.1.running_mean", "features.1.running_var",
                                      "features.1.num_batches_tracked"}));
  const std::vector<Tensor> params = net.parameters();
  ASSERT_EQ(params.size(), 6u);
  EXPECT_TRUE(params[0].same(net.features->find_as<Conv2d>("0").weight));
  for (const Tensor& p : params) EXPECT_TRUE(p.requires_grad());
  for (const auto& [name, b] : net.named_buffers()) EXPECT_FALSE(b.requires_grad()) << name;
}

TEST(Module, EachModuleKnowsItsDottedNameOnceInserted) {
  Generator gen(0);
  auto conv = std::make_shared<Conv2d>(1, 2, 3, Conv2dOptions{}, gen);
  EXPECT_EQ(conv->name(), "");
  EXPECT_EQ(conv->label(), "Conv2d");
  auto inner = std::make_shared<Sequential>();
  inner->add("conv1", conv);
  EXPECT_EQ(conv->name(), "conv1");
  // Inserting the parent later renames the whole subtree.
  Sequential outer;
  outer.add("block", inner);
  EXPECT_EQ(conv->name(), "block.conv1");
  EXPECT_EQ(&outer.find("block.conv1"), conv.get());

  TinyNet net(gen);
  std::vector<std::string> names;
  for (const auto& [name, module] : net.named_modules()) {
    names.push_back(name);
    EXPECT_EQ(module->name(), name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"", "features", "features.0", "features.1",
                                             "features.2", "pool", "fc"}));
}

TEST(Module, FindErrorsListTheValidNames) {
  Generator gen(0);
  TinyNet net(gen);
  EXPECT_EQ(&net.find(""), &net);
  EXPECT_EQ(net.find("features.1").type_name(), "BatchNorm2d");
  EXPECT_ERROR_CONTAINS(net.find("features.5"), "find: no module 'features.5'",
                        "valid names: features, features.0, features.1, features.2, pool, fc");
  EXPECT_ERROR_CONTAINS(net.find("fc.weight"), "'fc.weight'", "valid names");
  EXPECT_ERROR_CONTAINS(net.find_as<Conv2d>("fc"), "'fc' is a Linear");
}

TEST(Module, RegistrationRejectsDuplicateAndDottedNames) {
  Sequential seq;
  seq.add("relu", std::make_shared<ReLU>());
  EXPECT_ERROR_CONTAINS(seq.add("relu", std::make_shared<ReLU>()), "'relu'", "already taken");
  EXPECT_ERROR_CONTAINS(seq.add("a.b", std::make_shared<ReLU>()), "'a.b'", "no '.'");
  EXPECT_ERROR_CONTAINS(seq.add("x", nullptr), "null module");
}

TEST(Module, StrPrintsTheTreeLikePyTorch) {
  Generator gen(0);
  TinyNet net(gen);
  EXPECT_EQ(net.str(),
            "TinyNet(\n"
            "  (features): Sequential(\n"
            "    (0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "    (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, "
            "track_running_stats=True)\n"
            "    (2): ReLU()\n"
            "  )\n"
            "  (pool): GlobalAvgPool()\n"
            "  (fc): Linear(in_features=4, out_features=3, bias=True)\n"
            ")");
  EXPECT_EQ(MaxPool2d(2).str(), "MaxPool2d(kernel_size=2, stride=2, padding=0)");
  EXPECT_EQ(
      Conv2d(2, 4, 1, {.stride = 2, .padding = 0, .dilation = 1, .groups = 2, .bias = false}).str(),
      "Conv2d(2, 4, kernel_size=(1, 1), stride=(2, 2), groups=2, bias=False)");
}

TEST(Module, TrainAndEvalReachEverySubmodule) {
  Generator gen(0);
  TinyNet net(gen);
  EXPECT_TRUE(net.is_training());
  net.eval();
  for (const auto& [name, module] : net.named_modules())
    EXPECT_FALSE(module->is_training()) << name;
  net.train();
  for (const auto& [name, module] : net.named_modules()) EXPECT_TRUE(module->is_training()) << name;
}

TEST(Module, ToDTypeConvertsFloatingStateAndKeepsLeaves) {
  Generator gen(0);
  TinyNet net(gen);
  const std::vector<double> before = test::values(net.fc->weight);
  net.to(DType::Float64);
  EXPECT_EQ(net.fc->weight.dtype(), DType::Float64);
  EXPECT_TRUE(net.fc->weight.requires_grad());
  EXPECT_TRUE(net.fc->weight.is_leaf());
  EXPECT_EQ(test::values(net.fc->weight), before);
  // The counter stays int64; the registry sees the converted tensors.
  const NamedTensors state = net.state_dict();
  EXPECT_EQ(state.at("features.1.num_batches_tracked").dtype(), DType::Int64);
  EXPECT_TRUE(state.at("fc.weight").same(net.fc->weight));
  net.to(Device::cpu());  // already there: nothing changes
  EXPECT_TRUE(state.at("fc.weight").same(net.fc->weight));
}

TEST(Module, ZeroGradDropsGradients) {
  Generator gen(0);
  TinyNet net(gen);
  for (Tensor p : net.parameters()) p.set_grad(ops::ones_like(p));
  net.zero_grad();
  for (const Tensor& p : net.parameters()) EXPECT_FALSE(p.grad().defined());
}

}  // namespace
}  // namespace camlab::nn
