// Raw ops cannot silently cut the graph: applied to a tensor that requires grad in grad mode they
// are an Error naming the op and its tracked form; the tracked form records; NoGradGuard,
// detach(), inputs that need no grad and reads (comparisons, argmax, item, printing) are fine.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "autograd/ops.h"

namespace camlab {
namespace {

Tensor leaf(const Shape& shape) {
  Generator gen(3);
  Tensor t = ops::uniform(shape, 0.5, 1.5, gen, DType::Float64);
  t.set_requires_grad(true);
  return t;
}

std::string error_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_mentions(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "missing '" << part << "' in: " << message;
}

// One untracked Tensor member and its tracked form.
struct MemberCase {
  std::string raw;      // as the error names it
  std::string tracked;  // "" when there is none
  std::function<Tensor(const Tensor&)> untracked_call;
  std::function<Tensor(const Tensor&)> tracked_call;  // empty when there is none
};

// x: [2, 3, 4]
std::vector<MemberCase> member_cases() {
  using T = const Tensor&;
  return {
      {"Tensor::view", "camlab::view",
       [](T x) {
         return x.view({6, 4});
       },
       [](T x) {
         return view(x, {6, 4});
       }},
      {"Tensor::reshape", "camlab::reshape",
       [](T x) {
         return x.reshape({4, 6});
       },
       [](T x) {
         return reshape(x, {4, 6});
       }},
      {"Tensor::permute", "camlab::permute",
       [](T x) {
         return x.permute({2, 0, 1});
       },
       [](T x) {
         return permute(x, {2, 0, 1});
       }},
      {"Tensor::transpose", "camlab::transpose", [](T x) { return x.transpose(0, 2); },
       [](T x) { return transpose(x, 0, 2); }},
      {"Tensor::narrow", "camlab::narrow", [](T x) { return x.narrow(2, 1, 2); },
       [](T x) { return narrow(x, 2, 1, 2); }},
      {"Tensor::slice", "camlab::slice", [](T x) { return x.slice(2, 0, 4, 2); },
       [](T x) { return slice(x, 2, 0, 4, 2); }},
      {"Tensor::select", "camlab::select", [](T x) { return x.select(1, 2); },
       [](T x) { return select(x, 1, 2); }},
      {"Tensor::expand", "camlab::expand",
       [](T x) {
         return x.expand({2, 2, 3, 4});
       },
       [](T x) {
         return expand(x, {2, 2, 3, 4});
       }},
      {"Tensor::squeeze", "camlab::squeeze", [](T x) { return x.squeeze(0); },
       [](T x) { return squeeze(x, 0); }},
      {"Tensor::unsqueeze", "camlab::unsqueeze", [](T x) { return x.unsqueeze(1); },
       [](T x) { return unsqueeze(x, 1); }},
      {"Tensor::flatten", "camlab::flatten", [](T x) { return x.flatten(1); },
       [](T x) { return flatten(x, 1); }},
      {"Tensor::contiguous", "camlab::contiguous", [](T x) { return x.contiguous(); },
       [](T x) { return contiguous(x); }},
      {"Tensor::to", "camlab::to", [](T x) { return x.to(DType::Float32); },
       [](T x) { return to(x, DType::Float32); }},
      {"Tensor::clone", "", [](T x) { return x.clone(); }, {}},
      {"Tensor::as_strided", "", [](T x) { return x.as_strided({2}, {1}, 0); }, {}},
  };
}

TEST(UntrackedOp, EveryViewOrCopyMemberRefusesATensorThatRequiresGrad) {
  for (const MemberCase& c : member_cases()) {
    SCOPED_TRACE(c.raw);
    Tensor x = leaf({2, 3, 4});
    const std::string message = error_of([&] { c.untracked_call(x); });
    expect_mentions(message, c.raw + ": the input [2, 3, 4] requires grad");
    expect_mentions(message, c.tracked.empty() ? "no tracked form" : "call " + c.tracked);
  }
}

TEST(UntrackedOp, EveryTrackedFormOfAMemberRecordsAndCarriesTheGradient) {
  for (const MemberCase& c : member_cases()) {
    if (!c.tracked_call) continue;
    SCOPED_TRACE(c.tracked);
    Tensor x = leaf({2, 3, 4});
    Tensor y = c.tracked_call(x);
    ASSERT_TRUE(y.grad_fn()) << "the tracked form recorded nothing";
    backward(sum(to(y, DType::Float64)));
    ASSERT_TRUE(x.grad().defined());
    // d Σy / dx counts how often each element of x appears in y: at least once for a view
    // that keeps everything, 0 where a narrowing view drops it. Never negative, never undefined.
    EXPECT_GE(ops::amin(x.grad()).item(), 0.0);
    EXPECT_GT(ops::sum(x.grad()).item(), 0.0);
  }
}

TEST(UntrackedOp, RawMathOpsNameThemselvesAndTheirTrackedForm) {
  Tensor x = leaf({2, 3});
  std::string message = error_of([&] { ops::relu(x); });
  expect_mentions(message, "ops::relu: the input [2, 3] requires grad and grad mode is on");
  expect_mentions(message, "call camlab::relu (autograd/ops.h)");
  // The scalar kernel is named as the caller wrote it.
  expect_mentions(error_of([&] { ops::add(x, 2.0); }), "call camlab::add");
  expect_mentions(error_of([&] { ops::mul(ops::ones({3}, DType::Float64), x); }),
                  "call camlab::mul");
  expect_mentions(error_of([&] { ops::sum(x, {1}); }), "call camlab::sum");
  expect_mentions(error_of([&] { ops::cat({x, x}, 0); }), "call camlab::cat");
  // Backward helpers have no tracked form.
  expect_mentions(error_of([&] { ops::relu_backward(x, x); }), "no tracked form");
}

TEST(UntrackedOp, InPlaceWritesIntoOrFromATensorThatRequiresGradAreRefused) {
  Tensor w = leaf({3});
  expect_mentions(error_of([&] { ops::fill_(w, 0.0); }), "ops::fill_: the input [3]");
  Tensor plain = ops::zeros({3}, DType::Float64);
  expect_mentions(error_of([&] { plain.copy_(w); }), "Tensor::copy_");
  expect_mentions(error_of([&] { w.copy_(plain); }), "Tensor::copy_");
  autograd::NoGradGuard no_grad;  // what an optimizer step does
  w.copy_(plain);
  EXPECT_DOUBLE_EQ(ops::sum(w).item(), 0.0);
}

TEST(UntrackedOp, NoGradGuardDetachAndPlainInputsMayUseRawOps) {
  Tensor x = leaf({2, 3});
  {
    autograd::NoGradGuard no_grad;
    EXPECT_EQ(ops::relu(x).shape(), (Shape{2, 3}));
    EXPECT_EQ(x.flatten().shape(), (Shape{6}));
  }
  EXPECT_EQ(ops::relu(detach(x)).shape(), (Shape{2, 3}));
  EXPECT_EQ(detach(x).flatten().shape(), (Shape{6}));
  Tensor plain = ops::ones({2, 3});
  EXPECT_EQ(ops::exp(plain).flatten(0).shape(), (Shape{6}));
}

TEST(UntrackedOp, ReadsOfATensorThatRequiresGradAreFine) {
  Tensor x = leaf({2, 3});
  EXPECT_EQ(ops::argmax(x, 1).dtype(), DType::Int64);
  EXPECT_EQ(ops::gt(x, 1.0).dtype(), DType::Bool);
  EXPECT_EQ(ops::eq(x, x).dtype(), DType::Bool);
  Tensor one = leaf({1});
  EXPECT_GT(one.item(), 0.0);
  EXPECT_FALSE(x.str().empty());
}

TEST(UntrackedOp, ATrackedOpMayRunRawOpsOnItsOwnInputs) {
  // camlab::relu computes its forward with ops::relu on x, which requires grad: allowed, because
  // the tracked op records what it ran.
  Tensor x = leaf({4});
  Tensor y = relu(flatten(x));
  backward(sum(y));
  EXPECT_DOUBLE_EQ(ops::sum(x.grad()).item(), 4.0);
}

}  // namespace
}  // namespace camlab
