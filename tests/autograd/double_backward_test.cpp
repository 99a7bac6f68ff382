// Double backward (create_graph): finite differences of gradients (gradgradcheck, in double) for
// every op whose backward is recorded, the Hessian-vector product of a quadratic form against its
// known matrix, and the one-line Error of an op whose backward is not differentiable yet.
//
// A linear op's gradient does not depend on its input, so checking op(x) alone would only see a
// zero; most cases square the op's output (or feed a non-linear op) so that the second derivative
// flows through the op's recorded backward and its adjoint.
#include <gtest/gtest.h>

#include <limits>

#include "autograd/function.h"
#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "tests/support/grad_input.h"

namespace camlab {
namespace {

using Inputs = std::vector<Tensor>;

using test::grad_input;

void expect_gradgradcheck(const autograd::GradcheckFn& f, const Inputs& inputs) {
  auto r = autograd::gradgradcheck(f, inputs);
  EXPECT_TRUE(r.ok) << r.message;
}

Tensor squared(const Tensor& t) { return mul(t, t); }

TEST(DoubleBackward, UnaryElementwise) {
  const Tensor x = grad_input({2, 3}, 1);
  const Tensor positive = grad_input({2, 3}, 2, 0.5, 2.0);
  expect_gradgradcheck([](const Inputs& in) { return exp(in[0]); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return log(in[0]); }, {positive});
  expect_gradgradcheck([](const Inputs& in) { return sqrt(in[0]); }, {positive});
  expect_gradgradcheck([](const Inputs& in) { return rsqrt(in[0]); }, {positive});
  expect_gradgradcheck([](const Inputs& in) { return pow(in[0], 3.5); }, {positive});
  expect_gradgradcheck([](const Inputs& in) { return squared(neg(in[0])); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(mul(add(in[0], 2.0), 3.0)); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(abs(in[0])); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(clamp(in[0], -0.5, 0.5)); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return mul(sign(in[0]), squared(in[0])); }, {x});
}

TEST(DoubleBackward, Activations) {
  const Tensor x = grad_input({2, 5}, 3, -2, 2);
  expect_gradgradcheck([](const Inputs& in) { return sigmoid(in[0]); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return tanh(in[0]); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return gelu(in[0]); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return erf(in[0]); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return elu(in[0], 0.7); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(relu(in[0])); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(leaky_relu(in[0], 0.1)); }, {x});
}

TEST(DoubleBackward, BinaryWithBroadcasting) {
  const Tensor a = grad_input({2, 3}, 4, 0.5, 2.0);
  const Tensor b = grad_input({3}, 5, 0.5, 2.0);
  expect_gradgradcheck([](const Inputs& in) { return squared(add(in[0], in[1])); }, {a, b});
  expect_gradgradcheck([](const Inputs& in) { return squared(sub(in[0], in[1])); }, {a, b});
  expect_gradgradcheck([](const Inputs& in) { return mul(in[0], in[1]); }, {a, b});
  expect_gradgradcheck([](const Inputs& in) { return div(in[0], in[1]); }, {a, b});
  expect_gradgradcheck([](const Inputs& in) { return pow(in[0], in[1]); }, {a, b});
  const Tensor c = grad_input({2, 3}, 6);
  const Tensor d = grad_input({2, 3}, 7);
  expect_gradgradcheck([](const Inputs& in) { return squared(maximum(in[0], in[1])); }, {c, d});
  expect_gradgradcheck([](const Inputs& in) { return squared(minimum(in[0], in[1])); }, {c, d});
  const Tensor condition = Tensor::from_vector<uint8_t>({1, 0, 0, 1, 1, 0}, {2, 3}).to(DType::Bool);
  expect_gradgradcheck(
      [condition](const Inputs& in) { return squared(where(condition, in[0], in[1])); }, {c, b});
}

TEST(DoubleBackward, Reductions) {
  const Tensor x = grad_input({2, 3, 4}, 9);
  expect_gradgradcheck([](const Inputs& in) { return squared(sum(in[0], {1})); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(sum(in[0])); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(mean(in[0], {0, 2}, true)); }, {x});
}

// The extremes: the tie pattern is constant between ties, so the second derivative flows through
// the squared output alone; random inputs have no ties.
TEST(DoubleBackward, ExtremeReductions) {
  const Tensor x = grad_input({2, 3, 4}, 49);
  expect_gradgradcheck([](const Inputs& in) { return squared(amax(in[0], {1})); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(amin(in[0], {0, 2}, true)); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(amax(in[0])); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(max(in[0], 2).first); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(min(in[0], 1, true).first); }, {x});
}

TEST(DoubleBackward, StatisticalReductions) {
  const Tensor x = grad_input({2, 3, 4}, 50);
  expect_gradgradcheck([](const Inputs& in) { return var(in[0], {1}); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return var(in[0], {0, 2}, 0, true); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return std(in[0], {2}); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return std(in[0], {}, 0); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return logsumexp(in[0], {1}); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return logsumexp(in[0], {0, 2}, true); }, {x});
}

TEST(DoubleBackward, Norms) {
  const Tensor x = grad_input({3, 4}, 51);
  for (double p : {1.0, 2.0, 3.0, 1.5}) {
    expect_gradgradcheck([p](const Inputs& in) { return squared(norm(in[0], p, {1})); }, {x});
  }
  expect_gradgradcheck([](const Inputs& in) { return norm(in[0], 2.0); }, {x});
  const double inf = std::numeric_limits<double>::infinity();
  expect_gradgradcheck([inf](const Inputs& in) { return squared(norm(in[0], inf, {1})); }, {x});
}

TEST(DoubleBackward, Dropout) {
  const Tensor x = grad_input({4, 5}, 52);
  expect_gradgradcheck(
      [](const Inputs& in) {
        Generator gen(42);  // the same mask on every call
        return squared(dropout(in[0], 0.3, true, gen));
      },
      {x});
}

TEST(DoubleBackward, SoftmaxAndLogSoftmax) {
  const Tensor x = grad_input({2, 4}, 10, -2, 2);
  expect_gradgradcheck([](const Inputs& in) { return softmax(in[0], 1); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return log_softmax(in[0], 1); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return softmax(in[0], 0); }, {x});
}

TEST(DoubleBackward, MatmulAndLinear) {
  expect_gradgradcheck([](const Inputs& in) { return squared(matmul(in[0], in[1])); },
                       {grad_input({2, 3}, 11), grad_input({3, 2}, 12)});
  expect_gradgradcheck([](const Inputs& in) { return squared(matmul(in[0], in[1])); },
                       {grad_input({2, 2, 3}, 13), grad_input({3, 2}, 14)});  // broadcast batch
  expect_gradgradcheck([](const Inputs& in) { return squared(matmul(in[0], in[1])); },
                       {grad_input({3}, 15), grad_input({3, 2}, 16)});  // 1-d operand
  expect_gradgradcheck([](const Inputs& in) { return tanh(linear(in[0], in[1], in[2])); },
                       {grad_input({2, 3}, 17), grad_input({4, 3}, 18), grad_input({4}, 19)});
}

TEST(DoubleBackward, Losses) {
  const Tensor target = Tensor::from_vector<int64_t>({0, 2, 1}, {3});
  const Tensor weight = Tensor::from_vector<double>({0.5, 1.0, 2.0}, {3});
  expect_gradgradcheck([target](const Inputs& in) { return cross_entropy(in[0], target); },
                       {grad_input({3, 3}, 20, -2, 2)});
  expect_gradgradcheck(
      [target, weight](const Inputs& in) { return cross_entropy(in[0], target, weight, 0.1); },
      {grad_input({3, 3}, 21, -2, 2)});
  expect_gradgradcheck(
      [target](const Inputs& in) { return nll_loss(log_softmax(in[0], 1), target); },
      {grad_input({3, 3}, 22, -2, 2)});
  expect_gradgradcheck([](const Inputs& in) { return mse_loss(in[0], in[1]); },
                       {grad_input({2, 3}, 23), grad_input({2, 3}, 24)});
  expect_gradgradcheck(
      [](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
      {grad_input({2, 3}, 25, -2, 2), grad_input({2, 3}, 26, 0, 1)});
}

TEST(DoubleBackward, IndexingAndJoining) {
  const Tensor x = grad_input({3, 4}, 27);
  const Tensor index = Tensor::from_vector<int64_t>({2, 0, 1, 1, 3, 0}, {3, 2});
  expect_gradgradcheck([index](const Inputs& in) { return squared(gather(in[0], 1, index)); }, {x});
  const Tensor rows = Tensor::from_vector<int64_t>({2, 0, 2}, {3});
  expect_gradgradcheck([rows](const Inputs& in) { return squared(index_select(in[0], 0, rows)); },
                       {x});
  expect_gradgradcheck(
      [index](const Inputs& in) { return squared(scatter_add(in[0], 1, index, in[1])); },
      {x, grad_input({3, 2}, 28)});
  expect_gradgradcheck(
      [](const Inputs& in) {
        return squared(cat({in[0], in[1]}, 1));
      },
      {x, grad_input({3, 2}, 29)});
  expect_gradgradcheck(
      [](const Inputs& in) {
        return squared(stack({in[0], in[1]}, 0));
      },
      {x, grad_input({3, 4}, 30)});
  const Tensor mask = Tensor::from_vector<uint8_t>({1, 0, 0, 1}, {1, 4}).to(DType::Bool);
  expect_gradgradcheck([mask](const Inputs& in) { return squared(masked_fill(in[0], mask, 2)); },
                       {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(select(in[0], 1, 2)); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(narrow(in[0], 0, 1, 2)); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(slice(in[0], 1, 0, 4, 2)); }, {x});
}

TEST(DoubleBackward, Views) {
  const Tensor x = grad_input({2, 3, 2}, 31);
  expect_gradgradcheck([](const Inputs& in) { return squared(reshape(in[0], {3, 4})); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(permute(in[0], {2, 0, 1})); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(transpose(in[0], 0, 2)); }, {x});
  expect_gradgradcheck([](const Inputs& in) { return squared(flatten(in[0], 1)); }, {x});
  expect_gradgradcheck(
      [](const Inputs& in) {
        return squared(expand(unsqueeze(in[0], 0), {2, 2, 3, 2}));
      },
      {x});
}

TEST(DoubleBackward, Conv2d) {
  const std::vector<std::pair<Conv2dParams, Shape>> cases = {
      {{.padding = {1, 1}}, {3, 2, 3, 3}},
      {{.stride = {2, 1}, .padding = {1, 0}, .dilation = {1, 2}}, {2, 2, 2, 2}},
      {{.padding = {1, 1}, .groups = 2}, {4, 1, 3, 3}},
  };
  for (const auto& [p, w_shape] : cases) {
    Inputs xwb{grad_input({2, 2, 5, 5}, 32), grad_input(w_shape, 33), grad_input({w_shape[0]}, 34)};
    // conv2d is bilinear: its second derivatives are the cross terms x–w, checked bare; tanh on
    // top makes every pure second derivative non-zero too.
    expect_gradgradcheck([p](const Inputs& in) { return conv2d(in[0], in[1], in[2], p); }, xwb);
    expect_gradgradcheck([p](const Inputs& in) { return tanh(conv2d(in[0], in[1], in[2], p)); },
                         xwb);
  }
  Conv2dParams fused{.padding = {1, 1}, .relu = true};
  expect_gradgradcheck(
      [fused](const Inputs& in) { return squared(conv2d(in[0], in[1], in[2], fused)); },
      {grad_input({1, 2, 4, 4}, 35), grad_input({2, 2, 3, 3}, 36), grad_input({2}, 37)});
}

TEST(DoubleBackward, Pooling) {
  const Tensor x = grad_input({1, 2, 5, 5}, 38);
  const Pool2dParams p{.kernel = {2, 2}, .stride = {2, 2}};
  const Pool2dParams overlapping{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}};
  expect_gradgradcheck([p](const Inputs& in) { return squared(max_pool2d(in[0], p)); }, {x});
  expect_gradgradcheck(
      [overlapping](const Inputs& in) { return squared(max_pool2d(in[0], overlapping)); }, {x});
  expect_gradgradcheck(
      [overlapping](const Inputs& in) { return squared(avg_pool2d(in[0], overlapping)); }, {x});
  expect_gradgradcheck(
      [](const Inputs& in) {
        return squared(adaptive_avg_pool2d(in[0], {2, 3}));
      },
      {x});
}

TEST(DoubleBackward, BatchNorm) {
  const Tensor x = grad_input({3, 2, 2, 2}, 39);
  const Tensor weight = grad_input({2}, 40, 0.5, 1.5);
  const Tensor bias = grad_input({2}, 41);
  for (bool training : {true, false}) {
    Generator gen(42);
    const Tensor running_mean = ops::uniform({2}, -0.2, 0.2, gen, DType::Float64);
    const Tensor running_var = ops::uniform({2}, 0.5, 1.5, gen, DType::Float64);
    // momentum 0: the running statistics stay as they are over the many finite-difference calls.
    expect_gradgradcheck(
        [&](const Inputs& in) {
          return batch_norm(in[0], in[1], in[2], running_mean, running_var, training, 0.0);
        },
        {x, weight, bias});
  }
}

TEST(DoubleBackward, Upsampling) {
  const Tensor x = grad_input({1, 2, 3, 3}, 43);
  for (bool align : {false, true}) {
    expect_gradgradcheck(
        [align](const Inputs& in) {
          return squared(upsample_bilinear2d(in[0], {5, 4}, align));
        },
        {x});
  }
  expect_gradgradcheck(
      [](const Inputs& in) {
        return squared(upsample_nearest2d(in[0], {6, 5}));
      },
      {x});
}

// f(x) = ½·xᵀAx with A symmetric has gradient Ax and Hessian A, so the Hessian-vector product
// by double backward must equal A·v exactly (up to rounding).
TEST(DoubleBackward, HessianVectorProductOfAQuadraticForm) {
  Generator gen(44);
  const Tensor m = ops::uniform({4, 4}, -1, 1, gen, DType::Float64);
  const Tensor a = ops::add(m, m.transpose(0, 1));  // symmetric
  const Tensor x = grad_input({4, 1}, 45);
  const Tensor v = ops::uniform({4, 1}, -1, 1, gen, DType::Float64);
  Tensor f = mul(sum(mul(x, matmul(a, x))), 0.5);
  Tensor g = autograd::grad({f}, {x}, {}, false, false, /*create_graph=*/true)[0];
  ASSERT_TRUE(g.requires_grad());
  Tensor hv = autograd::grad({sum(mul(g, v))}, {x})[0];
  const Tensor expected = ops::matmul(a, v);
  autograd::NoGradGuard no_grad;
  EXPECT_LT(ops::amax(ops::abs(ops::sub(hv, expected))).item(), 1e-12);
  EXPECT_LT(ops::amax(ops::abs(ops::sub(g, ops::matmul(a, x)))).item(), 1e-12);
}

// backward(create_graph) leaves a .grad() that is itself differentiable: d/dx (d x³/dx) = 6x.
TEST(DoubleBackward, LeafGradKeepsItsGraph) {
  Tensor x = grad_input({3}, 46);
  backward(sum(mul(x, mul(x, x))), Tensor(), false, /*create_graph=*/true);
  Tensor first = x.grad();
  ASSERT_TRUE(first.requires_grad());
  Tensor second = autograd::grad({sum(first)}, {x})[0];
  // .grad() now holds a graph that leads back to x: a reference cycle, broken here as a user must.
  x.zero_grad();
  autograd::NoGradGuard no_grad;
  EXPECT_LT(ops::amax(ops::abs(ops::sub(second, ops::mul(x, 6.0)))).item(), 1e-12);
  EXPECT_LT(ops::amax(ops::abs(ops::sub(first, ops::mul(ops::mul(x, x), 3.0)))).item(), 1e-12);
}

// The fast path is untouched: without create_graph a gradient carries no graph.
TEST(DoubleBackward, FirstOrderGradientsCarryNoGraph) {
  Tensor x = grad_input({3}, 47);
  Tensor g = autograd::grad({sum(sigmoid(x))}, {x})[0];
  EXPECT_FALSE(g.requires_grad());
}

// x³ with a correct fast backward (3x²·dY) and a given differentiable one.
Tensor cube_with(const Tensor& x, autograd::BackwardFn differentiable) {
  const RawOpScope raw_forward;
  return autograd::record(
      "cube", {x}, ops::mul(x, ops::mul(x, x)), {{"x", x}},
      [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
        const Tensor& x = ctx.saved("x");
        return {ops::mul(ctx.grad(0), ops::mul(ops::mul(x, x), 3.0))};
      },
      std::move(differentiable));
}

// gradgradcheck must catch both ways a double backward can be wrong.
TEST(DoubleBackward, GradgradcheckCatchesWrongDifferentiableBackwards) {
  const Tensor x = grad_input({4}, 49);
  // Right: 3x²·dY in recorded ops.
  auto right = [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
    const Tensor& x = ctx.saved("x");
    return {mul(ctx.grad(0), mul(mul(x, x), 3.0))};
  };
  // Right values, but x² taken as a constant: the second derivative is lost.
  auto cut = [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
    const Tensor x = detach(ctx.saved("x"));
    return {mul(ctx.grad(0), ops::mul(ops::mul(x, x), 3.0))};
  };
  // Self-consistent but wrong first derivative (2x²): finite differences of it alone agree.
  auto wrong = [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
    const Tensor& x = ctx.saved("x");
    return {mul(ctx.grad(0), mul(mul(x, x), 2.0))};
  };
  auto check = [&](autograd::BackwardFn differentiable) {
    return autograd::gradgradcheck(
        [differentiable](const Inputs& in) { return cube_with(in[0], differentiable); }, {x});
  };
  EXPECT_TRUE(check(right).ok) << check(right).message;
  const auto cut_result = check(cut);
  EXPECT_FALSE(cut_result.ok);
  const auto wrong_result = check(wrong);
  EXPECT_FALSE(wrong_result.ok);
  EXPECT_NE(wrong_result.message.find("differs from the backward"), std::string::npos)
      << wrong_result.message;
}

// x², recorded with a first-order backward only, as an op written before double backward.
Tensor square_without_double_backward(const Tensor& x) {
  const RawOpScope raw_forward;
  return autograd::record("first_order_square", {x}, ops::mul(x, x), {{"x", x}},
                          [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
                            return {ops::mul(ctx.grad(0), ops::mul(ctx.saved("x"), 2.0))};
                          });
}

TEST(DoubleBackward, OpWithoutDoubleBackwardIsAnErrorNamingIt) {
  Tensor x = grad_input({2, 3}, 48);
  try {
    autograd::grad({sum(square_without_double_backward(x))}, {x}, {}, false, false,
                   /*create_graph=*/true);
    FAIL() << "create_graph through an op without a differentiable backward should throw";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'first_order_square'"), std::string::npos) << message;
    EXPECT_NE(message.find("create_graph"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace camlab
