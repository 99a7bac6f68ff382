// Forward hooks: order, replacement of input and output, removal by handle and by scope.
#include <gtest/gtest.h>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

// Records when its forward runs into a shared log.
class Recorder : public Module {
 public:
  explicit Recorder(std::vector<std::string>& log) : log_(log) {}
  Tensor forward(const Tensor& x) override {
    log_.push_back("forward");
    return camlab::mul(x, 3.0);
  }
  std::string type_name() const override { return "Recorder"; }

 private:
  std::vector<std::string>& log_;
};

TEST(ForwardHooks, RunInOrderAroundForward) {
  std::vector<std::string> log;
  Recorder m(log);
  m.register_forward_pre_hook([&](Module&, const Tensor&) { log.push_back("pre1"); });
  m.register_forward_pre_hook([&](Module&, const Tensor&) { log.push_back("pre2"); });
  m.register_forward_hook([&](Module&, const Tensor&, const Tensor&) { log.push_back("hook1"); });
  m.register_forward_hook([&](Module& module, const Tensor& input, const Tensor& output) {
    EXPECT_EQ(&module, &m);
    EXPECT_EQ(test::values(input), (std::vector<double>{1, 2}));
    EXPECT_EQ(test::values(output), (std::vector<double>{3, 6}));
    log.push_back("hook2");
  });
  Tensor y = m(Tensor::from_vector<float>({1, 2}, {2}));
  EXPECT_EQ(log, (std::vector<std::string>{"pre1", "pre2", "forward", "hook1", "hook2"}));
  EXPECT_EQ(test::values(y), (std::vector<double>{3, 6}));
}

TEST(ForwardHooks, MayReplaceInputAndOutput) {
  std::vector<std::string> log;
  Recorder m(log);
  m.register_forward_pre_hook([](Module&, const Tensor& x) { return camlab::add(x, 1.0); });
  Tensor seen_input;
  m.register_forward_hook([&](Module&, const Tensor& input, const Tensor& output) {
    seen_input = input;  // the input after pre-hooks
    return camlab::neg(output);
  });
  m.register_forward_hook([](Module&, const Tensor&, const Tensor&) { return Tensor(); });  // keeps
  Tensor y = m(Tensor::from_vector<float>({1, 2}, {2}));
  EXPECT_EQ(test::values(seen_input), (std::vector<double>{2, 3}));
  EXPECT_EQ(test::values(y), (std::vector<double>{-6, -9}));
}

TEST(ForwardHooks, HandleRemovesAndIsSafeToRepeat) {
  std::vector<std::string> log;
  Recorder m(log);
  int calls = 0;
  ForwardHookHandle handle =
      m.register_forward_hook([&](Module&, const Tensor&, const Tensor&) { ++calls; });
  ForwardHookHandle pre = m.register_forward_pre_hook([&](Module&, const Tensor&) { ++calls; });
  Tensor x = ops::ones({2});
  m(x);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(handle.active());
  handle.remove();
  EXPECT_FALSE(handle.active());
  handle.remove();
  m(x);
  EXPECT_EQ(calls, 3);  // only the pre-hook
  pre.remove();
  m(x);
  EXPECT_EQ(calls, 3);
}

TEST(ForwardHooks, ScopedHookRemovesOnDestruction) {
  std::vector<std::string> log;
  auto m = std::make_shared<Recorder>(log);
  int calls = 0;
  Tensor x = ops::ones({2});
  {
    ScopedForwardHook scoped =
        m->register_forward_hook([&](Module&, const Tensor&, const Tensor&) { ++calls; });
    (*m)(x);
    EXPECT_EQ(calls, 1);
    ScopedForwardHook moved = std::move(scoped);  // ownership moves, the hook stays
    (*m)(x);
    EXPECT_EQ(calls, 2);
  }
  (*m)(x);
  EXPECT_EQ(calls, 2);
  // A handle that outlives its module does nothing.
  ForwardHookHandle orphan = m->register_forward_hook([](Module&, const Tensor&, const Tensor&) {});
  m.reset();
  EXPECT_FALSE(orphan.active());
  orphan.remove();
}

TEST(ForwardHooks, AHookMayRemoveItselfWhileRunning) {
  std::vector<std::string> log;
  Recorder m(log);
  int calls = 0;
  ForwardHookHandle self;
  self = m.register_forward_hook([&](Module&, const Tensor&, const Tensor&) {
    ++calls;
    self.remove();
  });
  m.register_forward_hook([&](Module&, const Tensor&, const Tensor&) { ++calls; });
  m(ops::ones({2}));
  m(ops::ones({2}));
  EXPECT_EQ(calls, 3);
}

TEST(ForwardHooks, CaptureAnActivationInsideASequential) {
  Generator gen(0);
  Sequential net;
  net.add("fc1", std::make_shared<Linear>(3, 4, true, gen));
  net.add("relu", std::make_shared<ReLU>());
  net.add("fc2", std::make_shared<Linear>(4, 2, true, gen));
  Tensor activation;
  ScopedForwardHook capture = net.find("relu").register_forward_hook(
      [&](Module& module, const Tensor&, const Tensor& output) {
        EXPECT_EQ(module.name(), "relu");
        activation = output;
      });
  Tensor x = ops::randn({5, 3}, gen);
  Tensor y = net(x);
  ASSERT_TRUE(activation.defined());
  EXPECT_EQ(activation.shape(), (Shape{5, 4}));
  Tensor want = camlab::relu(
      camlab::linear(x, net.find_as<Linear>("fc1").weight, net.find_as<Linear>("fc1").bias));
  EXPECT_LT(test::max_abs_diff(activation, want), 1e-6);
}

}  // namespace
}  // namespace camlab::nn
