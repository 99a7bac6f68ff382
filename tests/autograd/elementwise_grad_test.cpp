// Finite-difference checks (double) for elementwise ops, activations, views and matmul, over
// several shapes, with broadcasting and non-contiguous inputs.
#include <gtest/gtest.h>

#include "autograd/function.h"
#include "autograd/gradcheck.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

using Inputs = std::vector<Tensor>;

Tensor input(const Shape& shape, uint64_t seed, double low = -1, double high = 1) {
  Generator gen(seed);
  Tensor t = ops::uniform(shape, low, high, gen, DType::Float64);
  t.set_requires_grad(true);
  return t;
}

void expect_gradcheck(const autograd::GradcheckFn& f, const Inputs& inputs) {
  auto r = autograd::gradcheck(f, inputs);
  EXPECT_TRUE(r.ok) << r.message;
}

const std::vector<std::pair<Shape, Shape>> kBroadcastPairs = {
    {{3}, {3}}, {{2, 3}, {3}}, {{4, 1, 3}, {2, 1}}, {{1}, {2, 2}}};

TEST(ElementwiseGrad, BinaryOpsWithBroadcasting) {
  for (const auto& [sa, sb] : kBroadcastPairs) {
    Tensor a = input(sa, 1), b = input(sb, 2, 0.5, 2.0);  // b away from 0 for div
    expect_gradcheck([](const Inputs& in) { return add(in[0], in[1]); }, {a, b});
    expect_gradcheck([](const Inputs& in) { return sub(in[0], in[1]); }, {a, b});
    expect_gradcheck([](const Inputs& in) { return mul(in[0], in[1]); }, {a, b});
    expect_gradcheck([](const Inputs& in) { return div(in[0], in[1]); }, {a, b});
    expect_gradcheck([](const Inputs& in) { return maximum(in[0], in[1]); }, {a, b});
    expect_gradcheck([](const Inputs& in) { return minimum(in[0], in[1]); }, {a, b});
    Tensor base = input(sa, 3, 0.5, 2.0);
    expect_gradcheck([](const Inputs& in) { return pow(in[0], in[1]); }, {base, b});
  }
}

TEST(ElementwiseGrad, UnaryMathOps) {
  for (const Shape& shape : {Shape{5}, Shape{2, 3, 4}}) {
    Tensor x = input(shape, 4);
    Tensor pos = input(shape, 5, 0.5, 3.0);
    expect_gradcheck([](const Inputs& in) { return neg(in[0]); }, {x});
    expect_gradcheck([](const Inputs& in) { return exp(in[0]); }, {x});
    expect_gradcheck([](const Inputs& in) { return log(in[0]); }, {pos});
    expect_gradcheck([](const Inputs& in) { return sqrt(in[0]); }, {pos});
    expect_gradcheck([](const Inputs& in) { return rsqrt(in[0]); }, {pos});
    expect_gradcheck([](const Inputs& in) { return abs(in[0]); }, {x});
    expect_gradcheck([](const Inputs& in) { return clamp(in[0], -0.5, 0.5); }, {x});
    expect_gradcheck([](const Inputs& in) { return pow(in[0], 3.0); }, {x});
    expect_gradcheck([](const Inputs& in) { return pow(in[0], 0.5); }, {pos});
    expect_gradcheck([](const Inputs& in) { return in[0] * 2.5 + 1.0; }, {x});
    expect_gradcheck([](const Inputs& in) { return 3.0 * in[0] / 2.0 - 1.0; }, {x});
  }
}

TEST(ElementwiseGrad, Activations) {
  for (const Shape& shape : {Shape{7}, Shape{2, 3, 2, 2}}) {
    Tensor x = input(shape, 6, -2, 2);
    expect_gradcheck([](const Inputs& in) { return relu(in[0]); }, {x});
    expect_gradcheck([](const Inputs& in) { return leaky_relu(in[0], 0.1); }, {x});
    expect_gradcheck([](const Inputs& in) { return elu(in[0], 0.7); }, {x});
    expect_gradcheck([](const Inputs& in) { return gelu(in[0]); }, {x});
    expect_gradcheck([](const Inputs& in) { return sigmoid(in[0]); }, {x});
    expect_gradcheck([](const Inputs& in) { return tanh(in[0]); }, {x});
  }
}

TEST(ElementwiseGrad, WhereRoutesGradientByCondition) {
  Tensor a = input({3, 4}, 7), b = input({4}, 8);
  Generator gen(9);
  Tensor cond = ops::gt(ops::uniform({3, 4}, -1, 1, gen, DType::Float64), 0.0);
  expect_gradcheck([cond](const Inputs& in) { return where(cond, in[0], in[1]); }, {a, b});
}

TEST(ElementwiseGrad, NonContiguousInputs) {
  Tensor a = input({4, 3}, 10), b = input({3, 4}, 11);
  // The transposes are made inside f, so the kernels see strided views.
  expect_gradcheck([](const Inputs& in) { return mul(transpose(in[0], 0, 1), in[1]); }, {a, b});
  expect_gradcheck([](const Inputs& in) { return sigmoid(transpose(in[0], 0, 1)); }, {a});
  expect_gradcheck(
      [](const Inputs& in) {
        return add(slice(in[0], 0, 0, 4, 2), narrow(transpose(in[1], 0, 1), 0, 0, 1));
      },
      {a, b});
}

TEST(ViewGrad, EveryViewOp) {
  Tensor x = input({2, 3, 4}, 12);
  expect_gradcheck([](const Inputs& in) { return reshape(in[0], {6, 4}) * 2.0; }, {x});
  expect_gradcheck([](const Inputs& in) { return permute(in[0], {2, 0, 1}) * 2.0; }, {x});
  expect_gradcheck([](const Inputs& in) { return transpose(in[0], 0, 2) * 2.0; }, {x});
  expect_gradcheck([](const Inputs& in) { return narrow(in[0], 2, 1, 2) * 2.0; }, {x});
  expect_gradcheck([](const Inputs& in) { return slice(in[0], 2, 0, 4, 3) * 2.0; }, {x});
  expect_gradcheck([](const Inputs& in) { return select(in[0], 1, -1) * 2.0; }, {x});
  expect_gradcheck([](const Inputs& in) { return unsqueeze(in[0], 1) * 2.0; }, {x});
  expect_gradcheck([](const Inputs& in) { return flatten(in[0], 1) * 2.0; }, {x});
  expect_gradcheck([](const Inputs& in) { return contiguous(transpose(in[0], 1, 2)) * 2.0; }, {x});
  Tensor y = input({3, 1}, 13);
  expect_gradcheck([](const Inputs& in) { return expand(in[0], {2, 3, 4}) * 2.0; }, {y});
  expect_gradcheck([](const Inputs& in) { return squeeze(in[0], 1) * 2.0; }, {y});
  // Casts carry the gradient back in the input's dtype.
  Tensor cast = to(y, DType::Float32);
  EXPECT_EQ(cast.dtype(), DType::Float32);
  backward(sum(cast));
  ASSERT_TRUE(y.grad().defined());
  EXPECT_EQ(y.grad().dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ(y.grad().at<double>({2, 0}), 1.0);
}

TEST(MatmulGrad, ShapesBatchesAndTransposes) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {4, 2}}, {{4}, {4, 2}},       {{3, 4}, {4}},
      {{4}, {4}},       {{2, 3, 4}, {4, 5}}, {{2, 1, 3, 4}, {3, 4, 2}}};
  for (const auto& [sa, sb] : cases) {
    Tensor a = input(sa, 14), b = input(sb, 15);
    expect_gradcheck([](const Inputs& in) { return matmul(in[0], in[1]); }, {a, b});
  }
  Tensor at = input({4, 3}, 16), bt = input({2, 4}, 17);
  expect_gradcheck(
      [](const Inputs& in) { return matmul(transpose(in[0], 0, 1), transpose(in[1], 0, 1)); },
      {at, bt});
  Tensor x = input({5, 4}, 18), w = input({3, 4}, 19), bias = input({3}, 20);
  expect_gradcheck([](const Inputs& in) { return linear(in[0], in[1], in[2]); }, {x, w, bias});
}

TEST(Gradcheck, CatchesAWrongBackward) {
  // A deliberately wrong backward (factor 3 instead of 2) must be reported with its element.
  auto wrong = [](const Inputs& in) {
    const RawOpScope raw_forward;  // the raw square is this op's own
    Tensor x = in[0];
    return autograd::record("wrong_square", {x}, ops::mul(x, x), {{"x", x}},
                            [](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
                              return {ops::mul(ops::mul(ctx.grad(0), ctx.saved("x")), 3.0)};
                            });
  };
  auto r = autograd::gradcheck(wrong, {input({3}, 21)});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("element"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace camlab
