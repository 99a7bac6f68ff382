#include "tests/tensor/op_cases.h"

#include <set>

#include "autograd/ops.h"

namespace camlab::test {
namespace {

using K = InputKind;

OpInput in(Shape shape, InputKind kind = K::Float, int64_t high = 0) {
  return {std::move(shape), kind, high};
}

// A forward case checked by gradcheck and, where PyTorch has the op, by the fixture.
OpCase forward(Op op, std::string name, std::vector<OpInput> inputs,
               std::function<Tensor(const Tensors&)> f, bool fixture = true) {
  return {op,
          std::move(name),
          std::move(inputs),
          [f = std::move(f)](const Tensors& x, Device) { return Tensors{f(x)}; },
          /*differentiable=*/true,
          fixture,
          ""};
}

// A case without a gradient of its own: a backward kernel (proved through `via`'s gradcheck),
// a comparison, an index result, a creation op.
OpCase plain(Op op, std::string name, std::vector<OpInput> inputs,
             std::function<Tensors(const Tensors&, Device)> f, bool fixture, std::string via = "") {
  return {op, std::move(name), std::move(inputs), std::move(f), false, fixture, std::move(via)};
}

// Unary elementwise: x [3, 4] (through a transpose, so the kernel sees strides) -> [4, 3].
OpCase unary(Op op, std::function<Tensor(const Tensor&)> f, InputKind kind = K::Float) {
  return forward(op, std::string(op_name(op)), {in({3, 4}, kind)},
                 [f = std::move(f)](const Tensors& x) { return f(transpose(x[0], 0, 1)); });
}

// Binary elementwise with broadcasting: a [2, 3], b [3] -> [2, 3].
OpCase binary(Op op, std::function<Tensor(const Tensor&, const Tensor&)> f,
              InputKind a_kind = K::Float, InputKind b_kind = K::Float) {
  return forward(op, std::string(op_name(op)), {in({2, 3}, a_kind), in({3}, b_kind)},
                 [f = std::move(f)](const Tensors& x) { return f(x[0], x[1]); });
}

// A comparison: bool [2, 3] from a [2, 3] and b [3]; b is drawn from a so that ties occur.
OpCase compare(Op op, std::function<Tensor(const Tensor&, const Tensor&)> f) {
  return plain(
      op, std::string(op_name(op)), {in({2, 3}), in({3})},
      [f = std::move(f)](const Tensors& x, Device) {
        Tensor b = ops::where(ops::gt(x[1], 0.0), x[0].select(0, 1), x[1]);
        return Tensors{f(x[0], b)};
      },
      /*fixture=*/false);
}

// dX from (dY, x or y) for an activation: grad_y [2, 5] Constant, x [2, 5].
OpCase activation_backward(Op op, std::function<Tensor(const Tensor&, const Tensor&)> f,
                           std::string via) {
  return plain(
      op, std::string(op_name(op)), {in({2, 5}, K::Constant), in({2, 5})},
      [f = std::move(f)](const Tensors& x, Device) { return Tensors{f(x[0], x[1])}; },
      /*fixture=*/false, std::move(via));
}

Conv2dParams conv_params() {
  return {.kernel = {3, 3}, .stride = {2, 1}, .padding = {1, 1}, .dilation = {1, 1}, .groups = 1};
}
Pool2dParams pool_params() { return {.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}}; }

std::vector<OpCase> make_cases() {
  std::vector<OpCase> c;
  // ---- memory ----
  c.push_back(plain(
      Op::fill, "fill", {},
      [](const Tensors&, Device d) {
        return Tensors{ops::full({3, 5}, 1.5, DType::Float32, d)};
      },
      false));
  c.push_back(forward(Op::copy, "copy", {in({3, 4})},
                      [](const Tensors& x) { return contiguous(transpose(x[0], 0, 1)); }));
  c.push_back(plain(
      Op::arange, "arange", {},
      [](const Tensors&, Device d) { return Tensors{ops::arange(-3, 5, 0.5, DType::Float32, d)}; },
      false));
  c.push_back(plain(
      Op::uniform, "uniform", {},
      [](const Tensors&, Device d) {
        Generator gen(7);
        return Tensors{ops::uniform({257}, -1, 1, gen, DType::Float32, d)};
      },
      false));
  c.push_back(plain(
      Op::normal, "normal", {},
      [](const Tensors&, Device d) {
        Generator gen(8);
        return Tensors{ops::randn({257}, gen, DType::Float32, d)};
      },
      false));
  c.push_back(plain(
      Op::randint, "randint", {},
      [](const Tensors&, Device d) {
        Generator gen(9);
        return Tensors{ops::randint(-4, 10, {257}, gen, d)};
      },
      false));
  // ---- unary elementwise ----
  c.push_back(unary(Op::neg, [](const Tensor& x) { return neg(x); }));
  c.push_back(unary(Op::exp, [](const Tensor& x) { return exp(x); }));
  c.push_back(unary(
      Op::log, [](const Tensor& x) { return log(x); }, K::Positive));
  c.push_back(unary(
      Op::sqrt, [](const Tensor& x) { return sqrt(x); }, K::Positive));
  c.push_back(unary(
      Op::rsqrt, [](const Tensor& x) { return rsqrt(x); }, K::Positive));
  c.push_back(unary(Op::abs, [](const Tensor& x) { return abs(x); }));
  c.push_back(unary(Op::sign, [](const Tensor& x) { return sign(x); }));
  c.push_back(unary(Op::relu, [](const Tensor& x) { return relu(x); }));
  c.push_back(unary(Op::sigmoid, [](const Tensor& x) { return sigmoid(x); }));
  c.push_back(unary(Op::tanh, [](const Tensor& x) { return tanh(x); }));
  c.push_back(unary(Op::gelu, [](const Tensor& x) { return gelu(x); }));
  c.push_back(unary(Op::erf, [](const Tensor& x) { return erf(x); }));
  c.push_back(unary(Op::leaky_relu, [](const Tensor& x) { return leaky_relu(x, 0.1); }));
  c.push_back(unary(Op::elu, [](const Tensor& x) { return elu(x, 0.7); }));
  c.push_back(unary(Op::clamp, [](const Tensor& x) { return clamp(x, -0.5, 1.0); }));
  c.push_back(unary(
      Op::pow_scalar, [](const Tensor& x) { return pow(x, 2.5); }, K::Positive));
  c.push_back(unary(Op::add_scalar, [](const Tensor& x) { return add(x, 3.0); }));
  c.push_back(unary(Op::mul_scalar, [](const Tensor& x) { return mul(x, -2.0); }));
  c.push_back(plain(
      Op::logical_not, "logical_not", {in({3, 4}, K::Mask)},
      [](const Tensors& x, Device) { return Tensors{ops::logical_not(x[0])}; }, false));
  // ---- binary elementwise ----
  c.push_back(binary(Op::add, [](const Tensor& a, const Tensor& b) { return add(a, b); }));
  c.push_back(binary(Op::sub, [](const Tensor& a, const Tensor& b) { return sub(a, b); }));
  c.push_back(binary(Op::mul, [](const Tensor& a, const Tensor& b) { return mul(a, b); }));
  c.push_back(binary(
      Op::div, [](const Tensor& a, const Tensor& b) { return div(a, b); }, K::Float, K::Positive));
  c.push_back(binary(
      Op::pow, [](const Tensor& a, const Tensor& b) { return pow(a, b); }, K::Positive, K::Float));
  c.push_back(binary(Op::minimum, [](const Tensor& a, const Tensor& b) { return minimum(a, b); }));
  c.push_back(binary(Op::maximum, [](const Tensor& a, const Tensor& b) { return maximum(a, b); }));
  c.push_back(compare(Op::eq, [](const Tensor& a, const Tensor& b) { return ops::eq(a, b); }));
  c.push_back(compare(Op::ne, [](const Tensor& a, const Tensor& b) { return ops::ne(a, b); }));
  c.push_back(compare(Op::lt, [](const Tensor& a, const Tensor& b) { return ops::lt(a, b); }));
  c.push_back(compare(Op::le, [](const Tensor& a, const Tensor& b) { return ops::le(a, b); }));
  c.push_back(compare(Op::gt, [](const Tensor& a, const Tensor& b) { return ops::gt(a, b); }));
  c.push_back(compare(Op::ge, [](const Tensor& a, const Tensor& b) { return ops::ge(a, b); }));
  c.push_back(forward(Op::where, "where", {in({2, 3}, K::Mask), in({2, 3}), in({3})},
                      [](const Tensors& x) { return where(x[0], x[1], x[2]); }));
  // ---- activation backwards ----
  c.push_back(activation_backward(
      Op::relu_backward, [](const Tensor& g, const Tensor& x) { return ops::relu_backward(g, x); },
      "relu"));
  c.push_back(activation_backward(
      Op::sigmoid_backward,
      [](const Tensor& g, const Tensor& y) { return ops::sigmoid_backward(g, y); }, "sigmoid"));
  c.push_back(activation_backward(
      Op::tanh_backward, [](const Tensor& g, const Tensor& y) { return ops::tanh_backward(g, y); },
      "tanh"));
  c.push_back(activation_backward(
      Op::gelu_backward, [](const Tensor& g, const Tensor& x) { return ops::gelu_backward(g, x); },
      "gelu"));
  c.push_back(activation_backward(
      Op::leaky_relu_backward,
      [](const Tensor& g, const Tensor& x) { return ops::leaky_relu_backward(g, x, 0.1); },
      "leaky_relu"));
  c.push_back(activation_backward(
      Op::elu_backward,
      [](const Tensor& g, const Tensor& x) { return ops::elu_backward(g, x, 0.7); }, "elu"));
  // ---- reductions ----
  c.push_back(forward(Op::sum, "sum", {in({3, 4, 5})}, [](const Tensors& x) {
    return sum(x[0], {0, 2});
  }));
  c.push_back(forward(Op::amax, "amax", {in({3, 4, 5})},
                      [](const Tensors& x) { return amax(x[0], {1}, true); }));
  c.push_back(
      forward(Op::amin, "amin", {in({3, 4, 5})}, [](const Tensors& x) { return amin(x[0], {2}); }));
  c.push_back(plain(
      Op::argmax, "argmax", {in({3, 4, 5})},
      [](const Tensors& x, Device) { return Tensors{ops::argmax(x[0], 1)}; }, true));
  c.push_back(plain(
      Op::argmin, "argmin", {in({3, 4, 5})},
      [](const Tensors& x, Device) { return Tensors{ops::argmin(x[0], 2)}; }, true));
  c.push_back(forward(Op::softmax, "softmax", {in({3, 4, 5})},
                      [](const Tensors& x) { return softmax(x[0], 1); }));
  c.push_back(forward(Op::log_softmax, "log_softmax", {in({3, 4, 5})},
                      [](const Tensors& x) { return log_softmax(x[0], 2); }));
  c.push_back(plain(
      Op::softmax_backward, "softmax_backward", {in({3, 4, 5}, K::Constant), in({3, 4, 5})},
      [](const Tensors& x, Device) {
        return Tensors{ops::softmax_backward(x[0], ops::softmax(x[1], 1), 1)};
      },
      false, "softmax"));
  c.push_back(plain(
      Op::log_softmax_backward, "log_softmax_backward", {in({3, 4, 5}, K::Constant), in({3, 4, 5})},
      [](const Tensors& x, Device) {
        return Tensors{ops::log_softmax_backward(x[0], ops::log_softmax(x[1], 2), 2)};
      },
      false, "log_softmax"));
  // ---- linear algebra ----
  c.push_back(forward(Op::matmul, "matmul", {in({2, 3, 4}), in({4, 5})},
                      [](const Tensors& x) { return matmul(x[0], x[1]); }));
  // ---- convolution and image ops ----
  // x: [2, 3, 7, 6], w: [4, 3, 3, 3], stride (2, 1), padding 1 -> [2, 4, 4, 6]
  c.push_back(plain(
      Op::im2col, "im2col", {in({2, 3, 7, 6})},
      [](const Tensors& x, Device) { return Tensors{ops::im2col(x[0], conv_params())}; }, true,
      "conv2d_forward"));
  c.push_back(plain(
      Op::col2im, "col2im", {in({2, 27, 24})},
      [](const Tensors& x, Device) {
        return Tensors{ops::col2im(x[0], {2, 3, 7, 6}, conv_params())};
      },
      true, "conv2d_forward"));
  c.push_back(forward(Op::conv2d_forward, "conv2d_forward",
                      {in({2, 3, 7, 6}), in({4, 3, 3, 3}), in({4})},
                      [](const Tensors& x) { return conv2d(x[0], x[1], x[2], conv_params()); }));
  c.push_back(plain(
      Op::conv2d_backward_input, "conv2d_backward_input",
      {in({2, 4, 4, 6}, K::Constant), in({4, 3, 3, 3})},
      [](const Tensors& x, Device) {
        return Tensors{ops::conv2d_backward_input(x[0], x[1], {2, 3, 7, 6}, conv_params())};
      },
      false, "conv2d_forward"));
  c.push_back(plain(
      Op::conv2d_backward_weight, "conv2d_backward_weight",
      {in({2, 4, 4, 6}, K::Constant), in({2, 3, 7, 6})},
      [](const Tensors& x, Device) {
        return Tensors{ops::conv2d_backward_weight(x[0], x[1], {4, 3, 3, 3}, conv_params())};
      },
      false, "conv2d_forward"));
  // x: [2, 3, 7, 6], kernel 3, stride 2, padding 1 -> [2, 3, 4, 3]
  c.push_back(forward(Op::max_pool2d, "max_pool2d", {in({2, 3, 7, 6})},
                      [](const Tensors& x) { return max_pool2d(x[0], pool_params()); }));
  c.push_back(plain(
      Op::max_pool2d_backward, "max_pool2d_backward",
      {in({2, 3, 4, 3}, K::Constant), in({2, 3, 7, 6})},
      [](const Tensors& x, Device) {
        Tensor indices = ops::max_pool2d(x[1], pool_params()).second;
        return Tensors{ops::max_pool2d_backward(x[0], indices, x[1].shape())};
      },
      false, "max_pool2d"));
  c.push_back(forward(Op::avg_pool2d, "avg_pool2d", {in({2, 3, 7, 6})},
                      [](const Tensors& x) { return avg_pool2d(x[0], pool_params()); }));
  c.push_back(plain(
      Op::avg_pool2d_backward, "avg_pool2d_backward", {in({2, 3, 4, 3}, K::Constant)},
      [](const Tensors& x, Device) {
        return Tensors{ops::avg_pool2d_backward(x[0], {2, 3, 7, 6}, pool_params())};
      },
      false, "avg_pool2d"));
  c.push_back(forward(Op::adaptive_avg_pool2d, "adaptive_avg_pool2d", {in({2, 3, 7, 6})},
                      [](const Tensors& x) {
                        return adaptive_avg_pool2d(x[0], {3, 4});
                      }));
  c.push_back(plain(
      Op::adaptive_avg_pool2d_backward, "adaptive_avg_pool2d_backward",
      {in({2, 3, 3, 4}, K::Constant)},
      [](const Tensors& x, Device) {
        return Tensors{ops::adaptive_avg_pool2d_backward(x[0], {2, 3, 7, 6})};
      },
      false, "adaptive_avg_pool2d"));
  c.push_back(forward(Op::upsample_bilinear2d, "upsample_bilinear2d", {in({2, 3, 4, 5})},
                      [](const Tensors& x) {
                        return upsample_bilinear2d(x[0], {7, 9}, false);
                      }));
  c.push_back(plain(
      Op::upsample_bilinear2d_backward, "upsample_bilinear2d_backward",
      {in({2, 3, 7, 9}, K::Constant)},
      [](const Tensors& x, Device) {
        return Tensors{ops::upsample_bilinear2d_backward(x[0], {2, 3, 4, 5}, false)};
      },
      false, "upsample_bilinear2d"));
  c.push_back(forward(Op::upsample_nearest2d, "upsample_nearest2d", {in({2, 3, 4, 5})},
                      [](const Tensors& x) {
                        return upsample_nearest2d(x[0], {7, 9});
                      }));
  c.push_back(plain(
      Op::upsample_nearest2d_backward, "upsample_nearest2d_backward",
      {in({2, 3, 7, 9}, K::Constant)},
      [](const Tensors& x, Device) {
        return Tensors{ops::upsample_nearest2d_backward(x[0], {2, 3, 4, 5})};
      },
      false, "upsample_nearest2d"));
  // Batch norm over x [4, 3, 2, 5]: training (batch statistics) and eval (running ones).
  c.push_back(forward(
      Op::batch_norm_stats, "batch_norm_stats", {in({4, 3, 2, 5}), in({3}), in({3})},
      [](const Tensors& x) { return batch_norm(x[0], x[1], x[2], Tensor(), Tensor(), true); }));
  c.push_back(
      forward(Op::batch_norm_apply, "batch_norm_apply",
              {in({4, 3, 2, 5}), in({3}), in({3}), in({3}, K::Constant), in({3}, K::Constant)},
              [](const Tensors& x) { return batch_norm(x[0], x[1], x[2], x[3], x[4], false); }));
  c.push_back(plain(
      Op::batch_norm_backward, "batch_norm_backward",
      {in({4, 3, 2, 5}, K::Constant), in({4, 3, 2, 5}), in({3})},
      [](const Tensors& x, Device) {
        const Tensor no_shift = ops::zeros_like(x[2]);  // [3]
        ops::BatchNormResult r =
            ops::batch_norm(x[1], x[2], no_shift, Tensor(), Tensor(), true, 0.1, 1e-5);
        ops::BatchNormGrads g =
            ops::batch_norm_backward(x[0], x[1], x[2], r.save_mean, r.save_invstd, true);
        return Tensors{g.grad_x, g.grad_weight, g.grad_bias};
      },
      false, "batch_norm_stats"));
  c.push_back(plain(
      Op::dropout_mask, "dropout_mask", {},
      [](const Tensors&, Device d) {
        Generator gen(10);
        return Tensors{ops::dropout_mask({257}, 0.3, gen, DType::Float32, d)};
      },
      false));
  // ---- indexing: x [4, 5], index along dim 1 ----
  c.push_back(forward(Op::index_select, "index_select", {in({4, 5}), in({6}, K::Index, 5)},
                      [](const Tensors& x) { return index_select(x[0], 1, x[1]); }));
  c.push_back(forward(Op::gather, "gather", {in({4, 5}), in({4, 3}, K::Index, 5)},
                      [](const Tensors& x) { return gather(x[0], 1, x[1]); }));
  c.push_back(forward(Op::scatter_add, "scatter_add",
                      {in({4, 5}), in({4, 3}, K::Index, 5), in({4, 3})},
                      [](const Tensors& x) { return scatter_add(x[0], 1, x[1], x[2]); }));
  c.push_back(forward(Op::masked_fill, "masked_fill", {in({4, 5}), in({5}, K::Mask)},
                      [](const Tensors& x) { return masked_fill(x[0], x[1], -0.25); }));
  return c;
}

}  // namespace

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> cases = make_cases();
  return cases;
}

Tensors make_inputs(const OpCase& c, DType dtype, Device device, uint64_t seed) {
  Generator gen(seed);
  Tensors inputs;
  for (const OpInput& spec : c.inputs) {
    Tensor t;
    switch (spec.kind) {
      case K::Float: t = ops::uniform(spec.shape, -2, 2, gen, dtype, device); break;
      case K::Positive:
      case K::Constant: t = ops::uniform(spec.shape, 0.5, 2, gen, dtype, device); break;
      case K::Index: t = ops::randint(0, spec.high, spec.shape, gen, device); break;
      case K::Mask: t = ops::lt(ops::rand(spec.shape, gen, dtype, device), 0.5); break;
    }
    inputs.push_back(t);
  }
  return inputs;
}

std::vector<std::string> ops_without_case() {
  std::set<Op> covered;
  for (const OpCase& c : op_cases()) covered.insert(c.op);
  std::vector<std::string> missing;
  for (size_t i = 0; i < kOpCount; ++i) {
    if (!covered.count(static_cast<Op>(i))) missing.emplace_back(kOpNames[i]);
  }
  return missing;
}

}  // namespace camlab::test
