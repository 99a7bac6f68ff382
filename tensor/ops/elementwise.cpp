// Frontends of the elementwise ops: check dtypes, broadcast, allocate, dispatch.
#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/ops.h"

namespace camlab::ops {
namespace {

// The name a caller wrote: ops::add(a, 2.0) runs the add_scalar kernel.
std::string_view frontend_name(Op op) {
  switch (op) {
    case Op::add_scalar: return "add";
    case Op::mul_scalar: return "mul";
    case Op::pow_scalar: return "pow";
    default: return op_name(op);
  }
}

// The untracked-op check for an elementwise op with a `result` dtype: a floating result from an
// input that requires grad would cut the graph; a bool result (comparisons) carries no gradient.
// The activation backwards have no tracked form.
void check_graph(Op op, DType result, const Tensor& a, const Tensor& b = Tensor()) {
  if (!is_floating(result) || !untracked_check_active()) return;
  const bool wants_grad = (a.defined() && a.requires_grad()) || (b.defined() && b.requires_grad());
  if (!wants_grad) return;
  const std::string_view name = frontend_name(op);
  const std::string raw = fmt::format("ops::{}", name);
  const bool is_backward = name.ends_with("_backward");
  const std::string tracked = is_backward ? "" : fmt::format("camlab::{}", name);
  check_untracked(raw, tracked, a, b);
}

Tensor unary(Op op, const Tensor& x, ScalarParams params = {},
             std::optional<DType> out_dtype = {}) {
  CAMLAB_CHECK(x.defined(), "{}: the input is undefined", op_name(op));
  check_graph(op, out_dtype.value_or(x.dtype()), x);
  const RawOpScope inside;
  Tensor out = Tensor::empty(x.shape(), out_dtype.value_or(x.dtype()), x.device());
  dispatch(op, x.device(), KernelArgs{.inputs = {x}, .outputs = {out}, .params = &params});
  return out;
}

void check_same_dtype(Op op, const Tensor& a, const Tensor& b) {
  CAMLAB_CHECK(a.dtype() == b.dtype(),
               "{}: dtype mismatch, {} {} vs {} {}; convert one with .to(DType::...)", op_name(op),
               dtype_name(a.dtype()), shape_str(a.shape()), dtype_name(b.dtype()),
               shape_str(b.shape()));
}

Tensor binary(Op op, const Tensor& a, const Tensor& b, std::optional<DType> out_dtype = {},
              ScalarParams params = {}) {
  CAMLAB_CHECK(a.defined() && b.defined(), "{}: an input is undefined", op_name(op));
  check_same_dtype(op, a, b);
  check_graph(op, out_dtype.value_or(a.dtype()), a, b);
  const RawOpScope inside;
  Shape shape = broadcast_shapes(a.shape(), b.shape(), op_name(op));
  Tensor out = Tensor::empty(shape, out_dtype.value_or(a.dtype()), a.device());
  dispatch(op, a.device(),
           KernelArgs{
               .inputs = {a.expand(shape), b.expand(shape)}, .outputs = {out}, .params = &params});
  return out;
}

Tensor compare(Op op, const Tensor& a, const Tensor& b) { return binary(op, a, b, DType::Bool); }

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(Op::add, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(Op::sub, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(Op::mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(Op::div, a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return binary(Op::pow, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary(Op::minimum, a, b); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary(Op::maximum, a, b); }
Tensor add(const Tensor& a, double b) { return unary(Op::add_scalar, a, {.a = b}); }
Tensor mul(const Tensor& a, double b) { return unary(Op::mul_scalar, a, {.a = b}); }
Tensor pow(const Tensor& a, double exponent) { return unary(Op::pow_scalar, a, {.a = exponent}); }

Tensor eq(const Tensor& a, const Tensor& b) { return compare(Op::eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(Op::ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(Op::lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(Op::le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(Op::gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(Op::ge, a, b); }
Tensor gt(const Tensor& a, double b) { return gt(a, full({}, b, a.dtype(), a.device())); }
Tensor lt(const Tensor& a, double b) { return lt(a, full({}, b, a.dtype(), a.device())); }
Tensor logical_not(const Tensor& a) { return unary(Op::logical_not, a, {}, DType::Bool); }

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  CAMLAB_CHECK(condition.dtype() == DType::Bool, "where: condition must be bool, got {}",
               dtype_name(condition.dtype()));
  check_same_dtype(Op::where, a, b);
  check_graph(Op::where, a.dtype(), a, b);
  const RawOpScope inside;
  Shape shape =
      broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = Tensor::empty(shape, a.dtype(), a.device());
  dispatch(Op::where, a.device(),
           KernelArgs{.inputs = {condition.expand(shape), a.expand(shape), b.expand(shape)},
                      .outputs = {out}});
  return out;
}

Tensor neg(const Tensor& x) { return unary(Op::neg, x); }
Tensor exp(const Tensor& x) { return unary(Op::exp, x); }
Tensor log(const Tensor& x) { return unary(Op::log, x); }
Tensor sqrt(const Tensor& x) { return unary(Op::sqrt, x); }
Tensor rsqrt(const Tensor& x) { return unary(Op::rsqrt, x); }
Tensor abs(const Tensor& x) { return unary(Op::abs, x); }
Tensor sign(const Tensor& x) { return unary(Op::sign, x); }
Tensor clamp(const Tensor& x, double low, double high) {
  CAMLAB_CHECK(low <= high, "clamp: low {} is above high {}", low, high);
  return unary(Op::clamp, x, {.a = low, .b = high});
}
Tensor relu(const Tensor& x) { return unary(Op::relu, x); }
Tensor leaky_relu(const Tensor& x, double slope) { return unary(Op::leaky_relu, x, {.a = slope}); }
Tensor elu(const Tensor& x, double alpha) { return unary(Op::elu, x, {.a = alpha}); }
Tensor gelu(const Tensor& x) { return unary(Op::gelu, x); }
Tensor erf(const Tensor& x) { return unary(Op::erf, x); }
Tensor sigmoid(const Tensor& x) { return unary(Op::sigmoid, x); }
Tensor tanh(const Tensor& x) { return unary(Op::tanh, x); }

Tensor relu_backward(const Tensor& grad_y, const Tensor& x) {
  return binary(Op::relu_backward, grad_y, x);
}
Tensor leaky_relu_backward(const Tensor& grad_y, const Tensor& x, double slope) {
  return binary(Op::leaky_relu_backward, grad_y, x, {}, {.a = slope});
}
Tensor elu_backward(const Tensor& grad_y, const Tensor& x, double alpha) {
  return binary(Op::elu_backward, grad_y, x, {}, {.a = alpha});
}
Tensor gelu_backward(const Tensor& grad_y, const Tensor& x) {
  return binary(Op::gelu_backward, grad_y, x);
}
Tensor sigmoid_backward(const Tensor& grad_y, const Tensor& y) {
  return binary(Op::sigmoid_backward, grad_y, y);
}
Tensor tanh_backward(const Tensor& grad_y, const Tensor& y) {
  return binary(Op::tanh_backward, grad_y, y);
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  const UntrackedOp untracked("ops::sum_to", "", t);
  if (t.shape() == shape) return t;
  const int64_t lead = t.dim() - static_cast<int64_t>(shape.size());
  CAMLAB_CHECK(lead >= 0, "sum_to: cannot reduce {} to the larger shape {}", shape_str(t.shape()),
               shape_str(shape));
  Shape dims;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && t.size(d) != 1)) dims.push_back(d);
  }
  Tensor reduced = dims.empty() ? t : sum(t, dims, /*keepdim=*/true);
  return reduced.reshape(shape);
}

}  // namespace camlab::ops
