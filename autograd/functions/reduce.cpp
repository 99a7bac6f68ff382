// Differentiable reductions. Every backward first lays dY out with the reduced dims as size 1
// (keepdim), so it broadcasts against x: dX = expand(dY) · ∂y/∂x.
#include <cmath>
#include <limits>

#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// What a reduction folded: sorted non-negative dims (every dim for an empty list; none for a 0-d
// tensor), x's shape with them set to 1 or dropped, and how many elements fold into each output.
struct Folded {
  Shape dims;
  Shape keep_shape;
  Shape drop_shape;
  int64_t count = 1;
};

// Called after the forward op, which has already validated `dims`.
Folded folded(const Tensor& x, const Shape& dims) {
  Folded f;
  f.keep_shape = x.shape();
  for (int64_t d = 0; d < x.dim(); ++d) {
    bool reduced = dims.empty();
    for (int64_t want : dims) reduced = reduced || normalize_dim(want, x.dim(), "reduce") == d;
    if (!reduced) {
      f.drop_shape.push_back(x.size(d));
      continue;
    }
    f.dims.push_back(d);
    f.keep_shape[d] = 1;
    f.count *= x.size(d);
  }
  return f;
}

// dY (with or without the reduced dims) reshaped so it broadcasts against x.
Tensor keepdim_grad(const BackwardContext& ctx, const Shape& keep_shape) {
  return ctx.grad(0).reshape(keep_shape);
}

Tensor zero_like_scalar(const Tensor& t) { return ops::zeros({}, t.dtype(), t.device()); }

// Where `mask` holds, a/b; elsewhere 0 (guards the 0/0 of a zero norm or zero std).
Tensor masked_ratio(const Tensor& a, const Tensor& b, const Tensor& zero_mask) {
  Tensor safe_b = ops::where(zero_mask, ops::ones({}, b.dtype(), b.device()), b);
  return ops::where(zero_mask, zero_like_scalar(a), ops::div(a, safe_b));
}

// amax/amin, and the ±∞ norms through |x|: the gradient is shared evenly by every element equal
// to the extreme (PyTorch's rule), dX = dY · 1[x = y] / #{x = y}.
Tensor even_split_grad(const Tensor& g_keep, const Tensor& x, const Tensor& y_keep,
                       const Shape& dims) {
  Tensor hits = ops::eq(x, y_keep).to(x.dtype());               // like x
  Tensor share = ops::div(g_keep, ops::sum(hits, dims, true));  // keepdim
  return ops::mul(hits, share);
}

Tensor extreme(const char* name, const Tensor& x, const Shape& dims, bool keepdim, bool is_max) {
  const RawOpScope raw_forward;
  Tensor y_keep = is_max ? ops::amax(x, dims, true) : ops::amin(x, dims, true);
  Folded f = folded(x, dims);
  Tensor y = keepdim ? y_keep : y_keep.reshape(f.drop_shape);
  // dX = dY · 1[x = y] / #ties: needs x and the keepdim result.
  return autograd::record(name, {x}, y, {{"x", x}, {"y", y_keep}},
                          [f](const BackwardContext& ctx) -> Grads {
                            return {even_split_grad(keepdim_grad(ctx, f.keep_shape), ctx.saved("x"),
                                                    ctx.saved("y"), f.dims)};
                          });
}

// max/min along a dim: values and int64 indices. dX = dY at the chosen index, 0 elsewhere.
std::pair<Tensor, Tensor> extreme_with_index(const char* name, const Tensor& x, int64_t dim,
                                             bool keepdim, bool is_max) {
  const RawOpScope raw_forward;
  auto [values, indices] = is_max ? ops::max(x, dim, keepdim) : ops::min(x, dim, keepdim);
  Folded f = folded(x, {dim});
  const Shape x_shape = x.shape();
  const int64_t d = f.dims.empty() ? 0 : f.dims[0];
  std::vector<Tensor> out = autograd::record(
      name, {x}, {values, indices}, {{"indices", indices.reshape(f.keep_shape)}},
      [f, x_shape, d](const BackwardContext& ctx) -> Grads {
        Tensor g = keepdim_grad(ctx, f.keep_shape);
        if (x_shape.empty()) return {g.reshape({})};
        // positions along d, shaped [1, .., size, .., 1], compared with the saved index
        Shape along(x_shape.size(), 1);
        along[d] = x_shape[d];
        Tensor positions = ops::arange(0, double(x_shape[d]), 1, DType::Int64, g.device());
        Tensor chosen = ops::eq(positions.reshape(along), ctx.saved("indices"));  // like x
        return {ops::where(chosen, g.expand(x_shape), zero_like_scalar(g))};
      });
  return {out[0], out[1]};
}

}  // namespace

Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::sum(x, dims, keepdim);  // validates dims before folded() reads them
  Folded f = folded(x, dims);
  // dX = expand(dY)
  return autograd::record(
      "sum", {x}, y, {},
      [f, x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
        return {keepdim_grad(ctx, f.keep_shape).expand(x_shape)};
      },
      [f, x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
        return {camlab::expand(camlab::reshape(ctx.grad(0), f.keep_shape), x_shape)};
      });
}

Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::mean(x, dims, keepdim);
  Folded f = folded(x, dims);
  // dX = expand(dY) / n
  return autograd::record(
      "mean", {x}, y, {},
      [f, x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
        Tensor g = keepdim_grad(ctx, f.keep_shape);
        return {ops::mul(g, 1.0 / double(f.count)).expand(x_shape)};
      },
      [f, x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
        Tensor g = camlab::reshape(ctx.grad(0), f.keep_shape);
        return {camlab::expand(camlab::mul(g, 1.0 / double(f.count)), x_shape)};
      });
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  const RawOpScope raw_forward;
  // The adjoint of a broadcast is a sum, and a sum's is a broadcast: dX = expand(dY, t's shape).
  return autograd::record(
      "sum_to", {t}, ops::sum_to(t, shape), {},
      [t_shape = t.shape()](const BackwardContext& ctx) -> Grads {
        return {ctx.grad(0).expand(t_shape)};
      },
      [t_shape = t.shape()](const BackwardContext& ctx) -> Grads {
        return {camlab::expand(ctx.grad(0), t_shape)};
      });
}

Tensor amax(const Tensor& x, const Shape& dims, bool keepdim) {
  return extreme("amax", x, dims, keepdim, true);
}
Tensor amin(const Tensor& x, const Shape& dims, bool keepdim) {
  return extreme("amin", x, dims, keepdim, false);
}

std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_with_index("max", x, dim, keepdim, true);
}
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_with_index("min", x, dim, keepdim, false);
}

Tensor var(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::var(x, dims, correction, keepdim);
  Folded f = folded(x, dims);
  const double scale = 2.0 / double(std::max<int64_t>(f.count - correction, 0));
  // dX = dY · 2(x − mean) / (n − correction); the mean is recomputed from the saved x.
  return autograd::record(
      "var", {x}, y, {{"x", x}}, [f, scale](const BackwardContext& ctx) -> Grads {
        const Tensor& x = ctx.saved("x");
        Tensor centered = ops::sub(x, ops::mean(x, f.dims, true));
        return {ops::mul(centered, ops::mul(keepdim_grad(ctx, f.keep_shape), scale))};
      });
}

Tensor std(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::std(x, dims, correction, keepdim);
  Folded f = folded(x, dims);
  const double inv_dof = 1.0 / double(std::max<int64_t>(f.count - correction, 0));
  // dX = dY · (x − mean) / ((n − correction) · σ); 0 where σ = 0 (PyTorch's choice).
  return autograd::record("std", {x}, y, {{"x", x}, {"y", y.reshape(f.keep_shape)}},
                          [f, inv_dof](const BackwardContext& ctx) -> Grads {
                            const Tensor &x = ctx.saved("x"), &sigma = ctx.saved("y");
                            Tensor centered = ops::sub(x, ops::mean(x, f.dims, true));
                            Tensor per_sigma =
                                masked_ratio(ops::mul(keepdim_grad(ctx, f.keep_shape), inv_dof),
                                             sigma, ops::eq(sigma, zero_like_scalar(sigma)));
                            return {ops::mul(centered, per_sigma)};
                          });
}

Tensor norm(const Tensor& x, double p, const Shape& dims, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::norm(x, p, dims, keepdim);
  Folded f = folded(x, dims);
  return autograd::record(
      "norm", {x}, y, {{"x", x}, {"y", y.reshape(f.keep_shape)}},
      [f, p](const BackwardContext& ctx) -> Grads {
        const Tensor &x = ctx.saved("x"), &y = ctx.saved("y");
        Tensor g = keepdim_grad(ctx, f.keep_shape);
        Tensor zero = zero_like_scalar(x);
        if (p == 0) return {ops::zeros_like(x)};         // dX = 0: a count of non-zeros
        if (p == 1) return {ops::mul(g, ops::sign(x))};  // dX = dY · sign(x)
        if (std::isinf(p)) {                             // dX = dY · sign(x) · 1[|x| = y] / #ties
          return {ops::mul(ops::sign(x), even_split_grad(g, ops::abs(x), y, f.dims))};
        }
        if (p == 2) {  // dX = dY · x / ‖x‖, 0 where ‖x‖ = 0
          return {ops::mul(x, masked_ratio(g, y, ops::eq(y, zero)))};
        }
        // dX = dY · sign(x)·|x|^(p−1) / ‖x‖^(p−1), 0 where x = 0 or ‖x‖ = 0
        Tensor ratio = masked_ratio(g, ops::pow(y, p - 1), ops::eq(y, zero));
        Tensor powered = ops::mul(ops::sign(x), ops::pow(ops::abs(x), p - 1));
        return {ops::where(ops::eq(x, zero), zero, ops::mul(powered, ratio))};
      });
}

Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::logsumexp(x, dims, keepdim);
  Folded f = folded(x, dims);
  // dX = dY · exp(x − y) = dY · softmax(x) over the reduced dims
  return autograd::record("logsumexp", {x}, y, {{"x", x}, {"y", y.reshape(f.keep_shape)}},
                          [f](const BackwardContext& ctx) -> Grads {
                            Tensor weights = ops::exp(ops::sub(ctx.saved("x"), ctx.saved("y")));
                            return {ops::mul(keepdim_grad(ctx, f.keep_shape), weights)};
                          });
}

}  // namespace camlab
