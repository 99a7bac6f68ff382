// Losses: values and gradients against PyTorch (softmax.h5, float32 to rtol 1e-5), finite
// differences in double for every loss and option, agreement between the fused and the composed
// forms, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "tests/support/all_close.h"
#include "tests/support/fixture.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

using Inputs = std::vector<Tensor>;
using test::Array;
using test::Fixture;

using test::values;

Tensor float_tensor(const Array& a, DType dtype = DType::Float32) {
  return Tensor::from_vector<double>(a.values, a.shape).to(dtype);
}

Tensor class_tensor(const Array& a) {
  std::vector<int64_t> classes(a.values.begin(), a.values.end());
  return Tensor::from_vector<int64_t>(classes, a.shape);
}

Tensor input(const Shape& shape, uint64_t seed, double low = -2, double high = 2) {
  Generator gen(seed);
  Tensor t = ops::uniform(shape, low, high, gen, DType::Float64);
  t.set_requires_grad(true);
  return t;
}

Tensor classes(const Shape& shape, int64_t count, uint64_t seed) {
  Generator gen(seed);
  return ops::randint(0, count, shape, gen);
}

void expect_gradcheck(const autograd::GradcheckFn& f, const Inputs& inputs,
                      const std::string& what) {
  auto r = autograd::gradcheck(f, inputs);
  EXPECT_TRUE(r.ok) << what << ": " << r.message;
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// Every loss case of softmax.h5: forward in float32, backward seeded with the stored grad_y.
TEST(LossGrad, MatchesPyTorchFixtures) {
  Fixture f("softmax.h5");
  int checked = 0;
  for (const std::string& c : f.cases()) {
    const std::string op = f.text(c, "op");
    if (op == "softmax" || op == "log_softmax") continue;
    SCOPED_TRACE(c);
    Tensor x = float_tensor(f.array(c + "/x"));
    x.set_requires_grad(true);
    Tensor weight = f.has(c + "/weight") ? float_tensor(f.array(c + "/weight")) : Tensor();
    Tensor target, loss;
    if (op == "cross_entropy") {
      target = class_tensor(f.array(c + "/target"));
      loss = cross_entropy(x, target, weight, f.number(c, "label_smoothing"));
    } else if (op == "nll_loss") {
      target = class_tensor(f.array(c + "/target"));
      loss = nll_loss(x, target, weight);
    } else if (op == "binary_cross_entropy_with_logits") {
      target = float_tensor(f.array(c + "/target"));
      loss = binary_cross_entropy_with_logits(x, target);
    } else {
      ASSERT_EQ(op, "mse_loss");
      target = float_tensor(f.array(c + "/target"));
      target.set_requires_grad(true);
      loss = mse_loss(x, target);
    }
    EXPECT_EQ(loss.shape(), Shape{});
    EXPECT_EQ(loss.dtype(), DType::Float32);
    EXPECT_TRUE(test::all_close(values(loss), f.array(c + "/y")));
    backward(loss, float_tensor(f.array(c + "/grad_y")));
    EXPECT_TRUE(test::all_close(values(x.grad()), f.array(c + "/grad_x")));
    if (f.has(c + "/grad_target")) {
      EXPECT_TRUE(test::all_close(values(target.grad()), f.array(c + "/grad_target")));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 8);  // 4 cross_entropy, 2 nll_loss, bce_with_logits, mse_loss
}

TEST(LossGrad, CrossEntropyGradcheckEveryOption) {
  const Tensor no_weight;
  Generator gen(3);
  Tensor weight = ops::uniform({5}, 0.5, 1.5, gen, DType::Float64);
  for (double smoothing : {0.0, 0.1, 1.0}) {
    for (const Tensor& w : {no_weight, weight}) {
      const std::string what =
          "smoothing " + std::to_string(smoothing) + (w.defined() ? " weighted" : "");
      Tensor target = classes({6}, 5, 4);
      expect_gradcheck([&](const Inputs& in) { return cross_entropy(in[0], target, w, smoothing); },
                       {input({6, 5}, 5)}, "[6, 5] " + what);
      Tensor target4d = classes({2, 3, 2}, 5, 6);
      expect_gradcheck(
          [&](const Inputs& in) { return cross_entropy(in[0], target4d, w, smoothing); },
          {input({2, 5, 3, 2}, 7)}, "[2, 5, 3, 2] " + what);
      // Channels-last logits permuted to [N, C, H, W]: a non-contiguous input.
      expect_gradcheck(
          [&](const Inputs& in) {
            return cross_entropy(permute(in[0], {0, 3, 1, 2}), target4d, w, smoothing);
          },
          {input({2, 3, 2, 5}, 8)}, "permuted " + what);
    }
  }
}

TEST(LossGrad, NllBceMseGradcheck) {
  Generator gen(9);
  Tensor weight = ops::uniform({4}, 0.5, 1.5, gen, DType::Float64);
  Tensor target = classes({5}, 4, 10);
  expect_gradcheck([&](const Inputs& in) { return nll_loss(in[0], target); }, {input({5, 4}, 11)},
                   "nll");
  expect_gradcheck([&](const Inputs& in) { return nll_loss(in[0], target, weight); },
                   {input({5, 4}, 12)}, "nll weighted");
  Tensor target4d = classes({2, 3, 3}, 4, 13);
  expect_gradcheck([&](const Inputs& in) { return nll_loss(in[0], target4d, weight); },
                   {input({2, 4, 3, 3}, 14)}, "nll 4d");
  // Soft targets in [0, 1] make the target's gradient meaningful too.
  expect_gradcheck([](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
                   {input({4, 3}, 15, -6, 6), input({4, 3}, 16, 0, 1)}, "bce");
  expect_gradcheck(
      [](const Inputs& in) {
        return binary_cross_entropy_with_logits(transpose(in[0], 0, 1), in[1]);
      },
      {input({3, 4}, 17), input({4, 3}, 18, 0, 1)}, "bce transposed");
  expect_gradcheck([](const Inputs& in) { return mse_loss(in[0], in[1]); },
                   {input({2, 3, 2}, 19), input({2, 3, 2}, 20)}, "mse");
  expect_gradcheck([](const Inputs& in) { return mse_loss(transpose(in[0], 0, 1), in[1]); },
                   {input({3, 2}, 21), input({2, 3}, 22)}, "mse transposed");
}

TEST(LossGrad, FusedCrossEntropyEqualsComposedForms) {
  Tensor logits = input({4, 6}, 23);
  Tensor target = classes({4}, 6, 24);
  const double fused = cross_entropy(logits, target).item();
  EXPECT_NEAR(fused, nll_loss(log_softmax(logits, 1), target).item(), 1e-14);
  // Full smoothing is the mean over classes of −log p: the uniform target.
  const double uniform = cross_entropy(logits, target, Tensor(), 1.0).item();
  EXPECT_NEAR(uniform, -mean(log_softmax(logits, 1)).item(), 1e-14);
  // BCE with logits equals the naive formula where the naive one is still finite.
  Generator gen(25);
  Tensor t = ops::uniform({4, 6}, 0, 1, gen, DType::Float64);
  Tensor p = ops::sigmoid(detach(logits));              // the naive formula only compares values
  Tensor log_q = ops::log(ops::add(ops::neg(p), 1.0));  // log(1 − p)
  Tensor hits = ops::mul(t, ops::log(p));
  Tensor misses = ops::mul(ops::add(ops::neg(t), 1.0), log_q);
  Tensor naive = ops::neg(ops::mean(ops::add(hits, misses)));
  EXPECT_NEAR(binary_cross_entropy_with_logits(logits, t).item(), naive.item(), 1e-12);
}

TEST(LossGrad, HugeLogitsStayFinite) {
  Tensor logits = Tensor::from_vector<float>({1e4f, -1e4f, 0, -1e4f, 1e4f, 0}, {2, 3});
  logits.set_requires_grad(true);
  Tensor target = Tensor::from_vector<int64_t>({1, 1}, {2});
  Tensor loss = cross_entropy(logits, target);
  EXPECT_NEAR(loss.item(), 1e4, 1.0);  // sample 0 misses by 2e4, sample 1 is right
  backward(loss);
  for (double g : values(logits.grad())) EXPECT_TRUE(std::isfinite(g));
  Tensor bce = binary_cross_entropy_with_logits(ops::full({3}, 200.0), ops::zeros({3}));
  EXPECT_NEAR(bce.item(), 200.0, 1e-3);
}

TEST(LossGrad, ErrorsNameLossShapesAndFix) {
  Tensor logits = ops::zeros({6, 5});
  std::string m = error_of([&] {
    cross_entropy(logits, Tensor::from_vector<int64_t>({0, 1, 2, 3, 4, 5}, {6}));
  });
  EXPECT_NE(m.find("cross_entropy"), std::string::npos) << m;
  EXPECT_NE(m.find("class 5"), std::string::npos) << m;
  EXPECT_NE(m.find("[6, 5]"), std::string::npos) << m;
  m = error_of([&] { cross_entropy(logits, ops::zeros({6})); });
  EXPECT_NE(m.find("int64"), std::string::npos) << m;
  m = error_of([&] { cross_entropy(logits, classes({5}, 5, 1)); });
  EXPECT_NE(m.find("[6]"), std::string::npos) << m;
  EXPECT_NE(m.find("[5]"), std::string::npos) << m;
  m = error_of([&] { nll_loss(logits, classes({6}, 5, 1), ops::ones({4})); });
  EXPECT_NE(m.find("nll_loss"), std::string::npos) << m;
  EXPECT_NE(m.find("weight"), std::string::npos) << m;
  m = error_of([&] { mse_loss(logits, ops::zeros({5, 6})); });
  EXPECT_NE(m.find("mse_loss"), std::string::npos) << m;
  EXPECT_NE(m.find("[5, 6]"), std::string::npos) << m;
  m = error_of([&] { cross_entropy(logits, classes({6}, 5, 1), Tensor(), 1.5); });
  EXPECT_NE(m.find("label_smoothing"), std::string::npos) << m;
}

}  // namespace
}  // namespace camlab
