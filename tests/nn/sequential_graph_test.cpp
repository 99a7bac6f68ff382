// Sequential's graph form (nn/sequential.h): children that name their inputs, merges, outputs
// dropped after their last reader, Conv2d -> ReLU fusion only where the ReLU alone reads the conv,
// and one-line errors for names that are not earlier children.
#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

using test::max_abs_diff;
using test::values;

// Inception-style: two branches of the same input side by side, then a residual sum.
TEST(SequentialGraph, BranchesMergeAsTheLayersWouldByHand) {
  Generator gen(2);
  auto net = std::make_shared<Sequential>();
  net->add("stem", std::make_shared<Conv2d>(2, 4, 3, Conv2dOptions{.padding = 1}, gen));
  net->add("b1", std::make_shared<Conv2d>(4, 3, 1, Conv2dOptions{}, gen), {"stem"});
  net->add("b3", std::make_shared<Conv2d>(4, 1, 3, Conv2dOptions{.padding = 1}, gen), {"stem"});
  net->add("cat", std::make_shared<Merge>(MergeKind::Concat), {"b1", "b3"});
  net->add("sum", std::make_shared<Merge>(MergeKind::Add), {"cat", "stem"});
  net->add("relu", std::make_shared<ReLU>());
  EXPECT_EQ(net->inputs_of(0), (std::vector<std::string>{"input"}));
  EXPECT_EQ(net->inputs_of(3), (std::vector<std::string>{"b1", "b3"}));
  EXPECT_EQ(net->inputs_of(5), (std::vector<std::string>{"sum"}));

  const Tensor x = ops::randn({2, 2, 5, 5}, gen);  // [N, C, H, W]
  const Tensor y = (*net)(x);
  const Tensor stem = net->find("stem")(x);
  const Tensor cat = camlab::cat({net->find("b1")(stem), net->find("b3")(stem)}, 1);
  const Tensor want = camlab::relu(camlab::add(cat, stem));
  EXPECT_EQ(y.shape(), (Shape{2, 4, 5, 5}));
  EXPECT_EQ(values(y), values(want));
}

TEST(SequentialGraph, InputNamesTheSequentialsOwnInput) {
  auto net = std::make_shared<Sequential>();
  net->add("sig", std::make_shared<Sigmoid>());
  net->add("gated", std::make_shared<Merge>(MergeKind::Mul), {"input", "sig"});
  Generator gen(1);
  const Tensor x = ops::randn({3, 4}, gen);
  EXPECT_EQ(values((*net)(x)), values(camlab::mul(x, camlab::sigmoid(x))));
}

// Each stored output is dropped once its last reader ran (no autograd graph holds it here).
TEST(SequentialGraph, AnOutputIsFreedAfterItsLastReader) {
  autograd::NoGradGuard no_grad;
  for (const bool read_late : {false, true}) {
    auto net = std::make_shared<Sequential>();
    net->add("a", std::make_shared<ReLU>());
    net->add("b", std::make_shared<Sigmoid>());
    net->add("c", std::make_shared<Tanh>());
    if (read_late) {
      net->add("d", std::make_shared<Merge>(MergeKind::Add), {"a", "c"});
    } else {
      net->add("d", std::make_shared<ReLU>());
    }
    std::weak_ptr<Storage> a_output;
    bool a_alive_at_c = false;
    ScopedForwardHook capture = net->find("a").register_forward_hook(
        [&](Module&, const Tensor&, const Tensor& y) { a_output = y.storage(); });
    ScopedForwardHook probe = net->find("c").register_forward_pre_hook(
        [&](Module&, const Tensor&) { a_alive_at_c = !a_output.expired(); });
    Generator gen(3);
    (*net)(ops::randn({2, 8}, gen));
    EXPECT_EQ(a_alive_at_c, read_late) << "a's output lives exactly as long as a reader needs it";
    EXPECT_TRUE(a_output.expired()) << "nothing is kept after the forward";
  }
}

// The name of the op that made the tensor a hook on `reader` sees as its input.
std::string producer_seen_by(Sequential& net, const std::string& reader, const Tensor& x) {
  std::string producer;
  ScopedForwardHook hook =
      net.find(reader).register_forward_pre_hook([&](Module&, const Tensor& input) {
        producer = input.grad_fn() ? input.grad_fn()->name() : "";
      });
  net(x);
  return producer;
}

TEST(SequentialGraph, ConvReluFusesOnlyWhereTheReluAloneReadsTheConv) {
  Generator gen(4);
  Tensor x = ops::randn({1, 2, 6, 6}, gen);
  x.set_requires_grad(true);  // so that every op's output names the op that made it
  auto conv = [&gen] {
    return std::make_shared<Conv2d>(2, 2, 3, Conv2dOptions{.padding = 1}, gen);
  };
  {  // a plain chain written with inputs: fused
    auto net = std::make_shared<Sequential>();
    net->add("conv", conv(), {"input"});
    net->add("relu", std::make_shared<ReLU>(), {"conv"});
    net->add("out", std::make_shared<Sigmoid>(), {"relu"});
    EXPECT_EQ(producer_seen_by(*net, "out", x), "conv2d");
  }
  {  // another child reads the conv too: the ReLU runs on its own
    auto net = std::make_shared<Sequential>();
    net->add("conv", conv());
    net->add("relu", std::make_shared<ReLU>());
    net->add("sum", std::make_shared<Merge>(MergeKind::Add), {"relu", "conv"});
    EXPECT_EQ(producer_seen_by(*net, "sum", x), "relu");
    const Tensor pre = net->find("conv")(x);
    EXPECT_LT(max_abs_diff((*net)(x), camlab::add(camlab::relu(pre), pre)), 1e-6);
  }
  {  // the ReLU after the conv reads something else: nothing to fuse
    auto net = std::make_shared<Sequential>();
    net->add("conv", conv());
    net->add("relu", std::make_shared<ReLU>(), {"input"});
    net->add("sum", std::make_shared<Merge>(MergeKind::Add), {"relu", "conv"});
    EXPECT_EQ(producer_seen_by(*net, "sum", x), "relu");
    EXPECT_LT(max_abs_diff((*net)(x), camlab::add(camlab::relu(x), net->find("conv")(x))), 1e-6);
  }
}

TEST(SequentialGraph, BadInputsAreOneLineErrors) {
  auto net = std::make_shared<Sequential>();
  net->add("conv1", std::make_shared<ReLU>());
  net->add("conv2", std::make_shared<ReLU>());
  EXPECT_ERROR_CONTAINS(net->add("x", std::make_shared<ReLU>(), {"conv3"}),
                        "child 'x' reads 'conv3', which is not an earlier child",
                        "did you mean 'conv1'?");
  EXPECT_ERROR_CONTAINS(net->add("y", std::make_shared<ReLU>(), {"zzzzzz"}),
                        "it may read 'input', "
                        "'conv1', 'conv2'");
  EXPECT_ERROR_CONTAINS(net->add("z", std::make_shared<ReLU>(), {"conv1", "conv2"}),
                        "child 'z' (ReLU) reads 2 inputs but only a Merge takes several");
  EXPECT_ERROR_CONTAINS(net->add("m", std::make_shared<Merge>(MergeKind::Add), {"conv1"}),
                        "merge 'm' needs at least 2 inputs, got 1");
  EXPECT_EQ(net->size(), 2u) << "a rejected child is not added";
}

TEST(SequentialGraph, GradientsReachEveryBranch) {
  Generator gen(6);
  auto net = std::make_shared<Sequential>();
  net->add("a", std::make_shared<Linear>(3, 2, true, gen), {"input"});
  net->add("b", std::make_shared<Linear>(3, 2, true, gen), {"input"});
  net->add("prod", std::make_shared<Merge>(MergeKind::Mul), {"a", "b"});
  const Tensor x = ops::randn({4, 3}, gen);
  backward(camlab::sum((*net)(x)));
  for (const auto& [name, p] : net->named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_GT(camlab::amax(camlab::abs(p.grad())).item(), 0.0) << name;
  }
}

}  // namespace
}  // namespace camlab::nn
