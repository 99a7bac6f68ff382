// Differentiable arithmetic. Broadcasting in forward becomes a sum over the broadcast dims in
// backward: dA = sum_to(∂out/∂A · dOut, A.shape).
//
// Each op passes two backwards to record(): the fast one of raw ops, and (for create_graph) the
// same formula in recorded camlab:: ops, so that second derivatives flow through it.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

using autograd::BackwardContext;
using autograd::record;
using Grads = std::vector<Tensor>;

// Gradient for input i, reduced to that input's shape, or undefined when not needed.
template <typename F>
Tensor grad_if(const BackwardContext& ctx, size_t i, const Shape& shape, F compute) {
  return ctx.needs_grad(i) ? ops::sum_to(compute(), shape) : Tensor();
}

// The same with a recorded sum_to, for the differentiable backwards.
template <typename F>
Tensor graph_grad_if(const BackwardContext& ctx, size_t i, const Shape& shape, F compute) {
  return ctx.needs_grad(i) ? camlab::sum_to(compute(), shape) : Tensor();
}

// A 0-d zero like t, a constant of the differentiable backwards.
Tensor scalar_zero(const Tensor& t) { return ops::zeros({}, t.dtype(), t.device()); }

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  const RawOpScope raw_forward;
  Shape sa = a.shape(), sb = b.shape();
  return record(
      "add", {a, b}, ops::add(a, b), {},
      [sa, sb](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);  // d(a + b) = da + db
        return {grad_if(ctx, 0, sa, [&] { return g; }), grad_if(ctx, 1, sb, [&] { return g; })};
      },
      [sa, sb](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        return {graph_grad_if(ctx, 0, sa, [&] { return g; }),
                graph_grad_if(ctx, 1, sb, [&] { return g; })};
      });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  const RawOpScope raw_forward;
  Shape sa = a.shape(), sb = b.shape();
  return record(
      "sub", {a, b}, ops::sub(a, b), {},
      [sa, sb](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        return {grad_if(ctx, 0, sa, [&] { return g; }),
                grad_if(ctx, 1, sb, [&] { return ops::neg(g); })};
      },
      [sa, sb](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        return {graph_grad_if(ctx, 0, sa, [&] { return g; }),
                graph_grad_if(ctx, 1, sb, [&] { return camlab::neg(g); })};
      });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  const RawOpScope raw_forward;
  // d(a·b) = b·da + a·db: each input's gradient reads the other input.
  return record(
      "mul", {a, b}, ops::mul(a, b), {{"a", a}, {"b", b}},
      [](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b");
        return {grad_if(ctx, 0, a.shape(), [&] { return ops::mul(g, b); }),
                grad_if(ctx, 1, b.shape(), [&] { return ops::mul(g, a); })};
      },
      [](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b");
        return {graph_grad_if(ctx, 0, a.shape(), [&] { return camlab::mul(g, b); }),
                graph_grad_if(ctx, 1, b.shape(), [&] { return camlab::mul(g, a); })};
      });
}

Tensor div(const Tensor& a, const Tensor& b) {
  const RawOpScope raw_forward;
  // d(a/b) = da/b − a·db/b²
  return record(
      "div", {a, b}, ops::div(a, b), {{"a", a}, {"b", b}},
      [](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b");
        return {grad_if(ctx, 0, a.shape(), [&] { return ops::div(g, b); }),
                grad_if(ctx, 1, b.shape(),
                        [&] { return ops::neg(ops::div(ops::mul(g, a), ops::mul(b, b))); })};
      },
      [](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b");
        return {graph_grad_if(ctx, 0, a.shape(), [&] { return camlab::div(g, b); }),
                graph_grad_if(ctx, 1, b.shape(), [&] {
                  return camlab::neg(camlab::div(camlab::mul(g, a), camlab::mul(b, b)));
                })};
      });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  const RawOpScope raw_forward;
  // d(aᵇ) = b·aᵇ⁻¹·da + aᵇ·ln(a)·db
  Tensor y = ops::pow(a, b);
  return record(
      "pow", {a, b}, y, {{"a", a}, {"b", b}, {"y", y}},
      [](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b"), &y = ctx.saved("y");
        return {
            grad_if(ctx, 0, a.shape(), [&] { return ops::mul(g, ops::mul(b, ops::div(y, a))); }),
            grad_if(ctx, 1, b.shape(), [&] { return ops::mul(g, ops::mul(y, ops::log(a))); })};
      },
      [](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b"), &y = ctx.saved("y");
        return {graph_grad_if(ctx, 0, a.shape(),
                              [&] { return camlab::mul(g, camlab::mul(b, camlab::div(y, a))); }),
                graph_grad_if(ctx, 1, b.shape(),
                              [&] { return camlab::mul(g, camlab::mul(y, camlab::log(a))); })};
      });
}

namespace {

// minimum/maximum: the gradient goes to the chosen input, split in half on ties (as PyTorch).
Tensor min_max(const char* name, const Tensor& a, const Tensor& b, bool is_max) {
  const RawOpScope raw_forward;
  Tensor y = is_max ? ops::maximum(a, b) : ops::minimum(a, b);
  return record(
      name, {a, b}, y, {{"a", a}, {"b", b}},
      [is_max](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b");
        Tensor a_wins = is_max ? ops::gt(a, b) : ops::lt(a, b);
        Tensor tie = ops::eq(a, b);
        Tensor half = ops::mul(g, 0.5);
        Tensor zero = ops::zeros({}, g.dtype(), g.device());
        Tensor to_a = ops::where(a_wins, g, ops::where(tie, half, zero));
        Tensor to_b = ops::sub(g, to_a);
        return {grad_if(ctx, 0, a.shape(), [&] { return to_a; }),
                grad_if(ctx, 1, b.shape(), [&] { return to_b; })};
      },
      [is_max](const BackwardContext& ctx) -> Grads {
        // The routing masks are constants (piecewise-linear: zero second derivative).
        Tensor g = ctx.grad(0);
        const Tensor a = detach(ctx.saved("a")), b = detach(ctx.saved("b"));
        Tensor a_wins = is_max ? ops::gt(a, b) : ops::lt(a, b);
        Tensor share = ops::where(ops::eq(a, b), ops::scalar(0.5, g.dtype(), g.device()),
                                  a_wins.to(g.dtype()));  // of dY that goes to a
        Tensor to_a = camlab::mul(g, share);
        Tensor to_b = camlab::sub(g, to_a);
        return {graph_grad_if(ctx, 0, a.shape(), [&] { return to_a; }),
                graph_grad_if(ctx, 1, b.shape(), [&] { return to_b; })};
      });
}

}  // namespace

Tensor minimum(const Tensor& a, const Tensor& b) { return min_max("minimum", a, b, false); }
Tensor maximum(const Tensor& a, const Tensor& b) { return min_max("maximum", a, b, true); }

Tensor add(const Tensor& a, double b) {
  const RawOpScope raw_forward;
  return record(
      "add_scalar", {a}, ops::add(a, b), {},
      [](const BackwardContext& ctx) -> Grads { return {ctx.grad(0)}; },
      [](const BackwardContext& ctx) -> Grads { return {ctx.grad(0)}; });
}

Tensor mul(const Tensor& a, double b) {
  const RawOpScope raw_forward;
  return record(
      "mul_scalar", {a}, ops::mul(a, b), {},
      [b](const BackwardContext& ctx) -> Grads { return {ops::mul(ctx.grad(0), b)}; },
      [b](const BackwardContext& ctx) -> Grads { return {camlab::mul(ctx.grad(0), b)}; });
}

Tensor pow(const Tensor& a, double exponent) {
  const RawOpScope raw_forward;
  // d(aᵖ) = p·aᵖ⁻¹·da
  return record(
      "pow_scalar", {a}, ops::pow(a, exponent), {{"a", a}},
      [exponent](const BackwardContext& ctx) -> Grads {
        Tensor d = ops::mul(ops::pow(ctx.saved("a"), exponent - 1), exponent);
        return {ops::mul(ctx.grad(0), d)};
      },
      [exponent](const BackwardContext& ctx) -> Grads {
        Tensor d = camlab::mul(camlab::pow(ctx.saved("a"), exponent - 1), exponent);
        return {camlab::mul(ctx.grad(0), d)};
      });
}

Tensor neg(const Tensor& x) {
  const RawOpScope raw_forward;
  return record(
      "neg", {x}, ops::neg(x), {},
      [](const BackwardContext& ctx) -> Grads { return {ops::neg(ctx.grad(0))}; },
      [](const BackwardContext& ctx) -> Grads { return {camlab::neg(ctx.grad(0))}; });
}

Tensor exp(const Tensor& x) {
  const RawOpScope raw_forward;
  Tensor y = ops::exp(x);  // d eˣ = eˣ: the output is all backward needs
  return record(
      "exp", {x}, y, {{"y", y}},
      [](const BackwardContext& ctx) -> Grads { return {ops::mul(ctx.grad(0), ctx.saved("y"))}; },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::mul(ctx.grad(0), ctx.saved("y"))};
      });
}

Tensor log(const Tensor& x) {
  const RawOpScope raw_forward;
  return record(
      "log", {x}, ops::log(x), {{"x", x}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::div(ctx.grad(0), ctx.saved("x"))};  // d ln x = dx / x
      },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::div(ctx.grad(0), ctx.saved("x"))};
      });
}

Tensor sqrt(const Tensor& x) {
  const RawOpScope raw_forward;
  Tensor y = ops::sqrt(x);  // d √x = dx / (2√x)
  return record(
      "sqrt", {x}, y, {{"y", y}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::div(ctx.grad(0), ops::mul(ctx.saved("y"), 2.0))};
      },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::div(ctx.grad(0), camlab::mul(ctx.saved("y"), 2.0))};
      });
}

Tensor rsqrt(const Tensor& x) {
  const RawOpScope raw_forward;
  Tensor y = ops::rsqrt(x);  // d x^(−½) = −½·x^(−3/2) = −½·y³
  return record(
      "rsqrt", {x}, y, {{"y", y}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::mul(ops::mul(ctx.grad(0), ops::pow(ctx.saved("y"), 3.0)), -0.5)};
      },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::mul(camlab::mul(ctx.grad(0), camlab::pow(ctx.saved("y"), 3.0)), -0.5)};
      });
}

Tensor abs(const Tensor& x) {
  const RawOpScope raw_forward;
  return record(
      "abs", {x}, ops::abs(x), {{"x", x}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::mul(ctx.grad(0), ops::sign(ctx.saved("x")))};  // d|x| = sign(x)·dx
      },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::mul(ctx.grad(0), ops::sign(detach(ctx.saved("x"))))};  // sign: a constant
      });
}

Tensor sign(const Tensor& x) {
  const RawOpScope raw_forward;
  return record(
      "sign", {x}, ops::sign(x), {},
      [](const BackwardContext& ctx) -> Grads { return {ops::zeros_like(ctx.grad(0))}; },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::mul(ctx.grad(0), 0.0)};  // still a function of dY
      });
}

Tensor clamp(const Tensor& x, double low, double high) {
  const RawOpScope raw_forward;
  // Gradient passes where low ≤ x ≤ high (PyTorch's convention at the bounds).
  return record(
      "clamp", {x}, ops::clamp(x, low, high), {{"x", x}},
      [low, high](const BackwardContext& ctx) -> Grads {
        const Tensor& x = ctx.saved("x");
        Tensor inside = ops::eq(ops::clamp(x, low, high), x);
        Tensor zero = ops::zeros({}, x.dtype(), x.device());
        return {ops::where(inside, ctx.grad(0), zero)};
      },
      [low, high](const BackwardContext& ctx) -> Grads {
        const Tensor x = detach(ctx.saved("x"));
        Tensor inside = ops::eq(ops::clamp(x, low, high), x);
        return {camlab::where(inside, ctx.grad(0), scalar_zero(x))};
      });
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  const RawOpScope raw_forward;
  Shape sa = a.shape(), sb = b.shape();
  return record(
      "where", {condition, a, b}, ops::where(condition, a, b), {{"condition", condition}},
      [sa, sb](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor& c = ctx.saved("condition");
        Tensor zero = ops::zeros({}, g.dtype(), g.device());
        return {Tensor(), grad_if(ctx, 1, sa, [&] { return ops::where(c, g, zero); }),
                grad_if(ctx, 2, sb, [&] { return ops::where(c, zero, g); })};
      },
      [sa, sb](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        const Tensor& c = ctx.saved("condition");
        Tensor zero = scalar_zero(g);
        return {Tensor(), graph_grad_if(ctx, 1, sa, [&] { return camlab::where(c, g, zero); }),
                graph_grad_if(ctx, 2, sb, [&] { return camlab::where(c, zero, g); })};
      });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator-(const Tensor& a, double b) { return add(a, -b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return mul(a, 1.0 / b); }
Tensor operator*(double a, const Tensor& b) { return mul(b, a); }

}  // namespace camlab
