// End to end against PyTorch (tests/fixtures/convnet.h5, tools/make_fixtures.py's GapNet): load
// its state dict by PyTorch names, then compare logits, loss and every gradient; then a short
// Adam run on the fixture batch whose loss must fall steadily.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"
#include "tests/support/all_close.h"
#include "tests/support/fixture.h"

namespace camlab::nn {
namespace {

using camlab::test::Array;
using camlab::test::Fixture;

// conv1(1→4, 3x3, pad 1) relu maxpool2 conv2(4→8, 3x3, pad 1) relu GAP fc(8→3)
std::shared_ptr<Sequential> gapnet(Generator& gen) {
  auto net = std::make_shared<Sequential>();
  net->add("conv1", std::make_shared<Conv2d>(1, 4, 3, Conv2dOptions{.padding = 1}, gen));
  net->add("relu1", std::make_shared<ReLU>());
  net->add("pool", std::make_shared<MaxPool2d>(2));
  net->add("conv2", std::make_shared<Conv2d>(4, 8, 3, Conv2dOptions{.padding = 1}, gen));
  net->add("relu2", std::make_shared<ReLU>());
  net->add("gap", std::make_shared<GlobalAvgPool>());
  net->add("fc", std::make_shared<Linear>(8, 3, true, gen));
  return net;
}

Tensor tensor_of(const Array& a, DType dtype) {
  Tensor t = Tensor::from_vector<double>(a.values, Shape(a.shape.begin(), a.shape.end()));
  return t.to(dtype);
}

TEST(ConvNet, MatchesPyTorchForwardAndBackward) {
  Fixture f("convnet.h5");
  Generator gen(0);
  auto net = gapnet(gen);
  NamedTensors state;
  for (const auto& [name, p] : net->named_parameters()) {
    state.insert(name, tensor_of(f.array("gapnet/" + name), DType::Float64));
  }
  net->to(DType::Float64);  // the references were computed in float64 from the same values
  net->load_state_dict(state);
  Tensor x = tensor_of(f.array("gapnet/x"), DType::Float64).set_requires_grad(true);
  Tensor target = tensor_of(f.array("gapnet/target"), DType::Int64);
  Tensor logits = (*net)(x);
  EXPECT_TRUE(
      camlab::test::all_close(test::values(logits), f.array("gapnet/logits"), 1e-10, 1e-12));
  Tensor loss = CrossEntropyLoss()(logits, target);
  EXPECT_TRUE(camlab::test::all_close(test::values(loss), f.array("gapnet/loss"), 1e-10, 1e-12));
  camlab::backward(loss);
  for (const auto& [name, p] : net->named_parameters()) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(camlab::test::all_close(test::values(p.grad()), f.array("gapnet/grad_" + name),
                                        1e-8, 1e-10));
  }
  EXPECT_TRUE(
      camlab::test::all_close(test::values(x.grad()), f.array("gapnet/grad_x"), 1e-8, 1e-10));
}

TEST(ConvNet, AdamFitsTheFixtureBatch) {
  Fixture f("convnet.h5");
  Generator gen(0);
  auto net = gapnet(gen);
  Tensor x = tensor_of(f.array("gapnet/x"), DType::Float32);
  Tensor target = tensor_of(f.array("gapnet/target"), DType::Int64);
  Adam adam(net->parameters(), {.lr = 0.05});
  CrossEntropyLoss criterion;
  std::vector<double> losses;
  for (int step = 0; step < 40; ++step) {
    Tensor loss = criterion((*net)(x), target);
    losses.push_back(loss.item());
    adam.zero_grad();
    camlab::backward(loss);
    clip_grad_norm_(net->parameters(), 5.0);
    adam.step();
  }
  // From ≈1.3 (the prior of labels {0, 2, 1, 2} is ≈1.04) to well below it, steadily.
  for (size_t i = 20; i < losses.size(); ++i) EXPECT_LT(losses[i], losses[i - 1]) << "step " << i;
  EXPECT_LT(losses.back(), 0.3 * losses.front())
      << "first " << losses.front() << " last " << losses.back();
}

}  // namespace
}  // namespace camlab::nn
