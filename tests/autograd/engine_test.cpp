// The backward engine: accumulation, deep graphs, retain_graph, grad mode, hooks, grad().
#include <gtest/gtest.h>

#include "autograd/graphviz.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

Tensor leaf(std::vector<double> values, Shape shape) {
  Tensor t = Tensor::from_vector<double>(values, shape);
  t.set_requires_grad(true);
  return t;
}

TEST(Engine, InputUsedTwiceAccumulates) {
  Tensor x = leaf({3.0}, {1});
  Tensor y = x * x + x;  // dy/dx = 2x + 1 = 7
  backward(sum(y));
  ASSERT_TRUE(x.grad().defined());
  EXPECT_DOUBLE_EQ(x.grad().item(), 7.0);
  // A second backward on a fresh graph adds to .grad.
  backward(sum(x * 2.0));
  EXPECT_DOUBLE_EQ(x.grad().item(), 9.0);
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, ChainOfTenThousandOpsDoesNotOverflowTheStack) {
  Tensor x = leaf({1.0}, {1});
  Tensor y = x;
  for (int i = 0; i < 10000; ++i) y = y * 1.0001;
  backward(sum(y));
  EXPECT_NEAR(x.grad().item(), std::pow(1.0001, 10000), 1e-9);
}

TEST(Engine, SavedTensorsAreFreedUnlessRetained) {
  Tensor x = leaf({2.0}, {1});
  Tensor y = sum(x * x);
  backward(y, Tensor(), /*retain_graph=*/true);
  backward(y);  // allowed: the first kept the graph
  EXPECT_DOUBLE_EQ(x.grad().item(), 8.0);
  try {
    backward(y);
    FAIL() << "a third backward through freed tensors must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("retain_graph"), std::string::npos) << e.what();
  }
}

TEST(Engine, NoGradGuardRecordsNothing) {
  Tensor x = leaf({1.0, 2.0}, {2});
  Tensor y;
  {
    autograd::NoGradGuard guard;
    y = x * 3.0;
    EXPECT_FALSE(autograd::grad_enabled());
  }
  EXPECT_TRUE(autograd::grad_enabled());
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_THROW(backward(sum(y)), Error);
  Tensor d = detach(x * 2.0);
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.at<double>({1}), 4.0);
}

TEST(Engine, RetainGradKeepsNonLeafGradients) {
  Tensor x = leaf({1.0, -2.0}, {2});
  Tensor h = x * 3.0;
  h.retain_grad();
  Tensor y = sum(h * h);
  backward(y);
  ASSERT_TRUE(h.grad().defined());
  EXPECT_DOUBLE_EQ(h.grad().at<double>({0}), 6.0);  // 2h = 6
  EXPECT_DOUBLE_EQ(h.grad().at<double>({1}), -12.0);
  EXPECT_DOUBLE_EQ(x.grad().at<double>({1}), -36.0);  // 3 · 2h
}

TEST(Engine, HooksSeeAndReplaceGradientsAndCanBeRemoved) {
  Tensor x = leaf({1.0, 2.0}, {2});
  Tensor h = x * 2.0;
  std::vector<double> seen;
  HookHandle observe = h.register_hook([&](const Tensor& g) {
    seen.push_back(g.at<double>({0}));
    return Tensor();
  });
  HookHandle scale = h.register_hook([](const Tensor& g) { return ops::mul(g, 10.0); });
  backward(sum(h), Tensor(), true);
  EXPECT_EQ(seen, std::vector<double>{1.0});
  EXPECT_DOUBLE_EQ(x.grad().at<double>({0}), 20.0);  // 1 · 10 (hook) · 2
  scale.remove();
  x.zero_grad();
  backward(sum(h));
  EXPECT_DOUBLE_EQ(x.grad().at<double>({0}), 2.0);
  EXPECT_EQ(seen.size(), 2u);
  observe.remove();
  observe.remove();  // removing twice is harmless
}

TEST(Engine, LeafHooksRunBeforeAccumulation) {
  Tensor x = leaf({1.0}, {1});
  auto handle = x.register_hook([](const Tensor& g) { return ops::mul(g, -1.0); });
  backward(sum(x * 5.0));
  EXPECT_DOUBLE_EQ(x.grad().item(), -5.0);
}

TEST(Engine, GradOfIntermediateActivationLeavesDotGradAlone) {
  Tensor w = leaf({2.0, 3.0}, {2});
  Tensor x = leaf({1.0, 1.0}, {2});
  Tensor a = relu(x * w);           // the "activation"
  Tensor score = sum(a * a * 0.5);  // d score / d a = a
  auto grads = autograd::grad({score}, {a, w});
  EXPECT_DOUBLE_EQ(grads[0].at<double>({1}), 3.0);
  EXPECT_DOUBLE_EQ(grads[1].at<double>({1}), 3.0);  // a·x
  EXPECT_FALSE(w.grad().defined());
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, GradRunsOnlyThePartOfTheGraphAboveTheInputs) {
  Tensor x = leaf({1.0, 2.0}, {2});
  Tensor early = x * 2.0;
  int below = 0;
  early.register_hook([&](const Tensor&) {
    ++below;
    return Tensor();
  });
  Tensor a = early * 3.0;
  Tensor score = sum(a);
  auto grads = autograd::grad({score}, {a});
  EXPECT_DOUBLE_EQ(grads[0].at<double>({0}), 1.0);
  EXPECT_EQ(below, 0) << "nodes below the requested activation must not run";
}

TEST(Engine, GradReportsUnusedInputs) {
  Tensor x = leaf({1.0}, {1});
  Tensor unused = leaf({1.0}, {1});
  Tensor y = sum(x * 2.0);
  EXPECT_THROW(autograd::grad({y}, {unused}, {}, true), Error);
  auto g = autograd::grad({y}, {unused}, {}, false, /*allow_unused=*/true);
  EXPECT_FALSE(g[0].defined());
}

TEST(Engine, NonScalarBackwardNeedsAGradient) {
  Tensor x = leaf({1.0, 2.0}, {2});
  Tensor y = x * 2.0;
  EXPECT_THROW(backward(y), Error);
  backward(y, Tensor::from_vector<double>({1.0, 0.5}, {2}));
  EXPECT_DOUBLE_EQ(x.grad().at<double>({1}), 1.0);
}

TEST(Engine, ToDotShowsOpsShapesAndSavedTensors) {
  Tensor x = leaf({1.0, 2.0, 3.0, 4.0}, {2, 2});
  Tensor w = leaf({1.0, 0.0, 0.0, 1.0}, {2, 2});
  Tensor y = sum(relu(matmul(x, w)));
  std::string dot = autograd::to_dot(y);
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find("matmul"), std::string::npos);
  EXPECT_NE(dot.find("relu"), std::string::npos);
  EXPECT_NE(dot.find("saved: x[2, 2]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("leaf [2, 2]"), std::string::npos) << dot;
}

}  // namespace
}  // namespace camlab
