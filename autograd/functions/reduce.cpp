// Differentiable reductions. Every backward first lays dY out with the reduced dims as size 1
// (keepdim), so it broadcasts against x: dX = expand(dY) · ∂y/∂x.
//
// sum and mean keep a raw-op backward for speed beside the recorded one. The others write theirs
// once, with recorded ops (camlab::mul, ...), and pass it as both: outside create_graph, grad mode
// is off during backward and those ops record nothing, so one formula serves both orders. An
// output the backward reads is saved as the output itself, not a reshaped view of it, so that
// under create_graph it comes back with its grad_fn (Node::saved_as_output) and y's own
// dependence on x is differentiated too.
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

// dY (with or without the reduced dims) reshaped so it broadcasts against x; recorded under
// create_graph.
Tensor keepdim_grad(const BackwardContext& ctx, const Shape& keep_shape) {
  return camlab::reshape(ctx.grad(0), keep_shape);
}

Tensor zero_like_scalar(const Tensor& t) { return ops::zeros({}, t.dtype(), t.device()); }

// The mask `t = 0`, a constant of the graph (its derivative is zero almost everywhere).
Tensor is_zero(const Tensor& t) {
  const Tensor value = camlab::detach(t);
  return ops::eq(value, zero_like_scalar(value));
}

// Where `zero_mask` holds, 0; elsewhere a/b (guards the 0/0 of a zero norm or zero std).
Tensor masked_ratio(const Tensor& a, const Tensor& b, const Tensor& zero_mask) {
  Tensor safe_b = camlab::where(zero_mask, ops::ones({}, b.dtype(), b.device()), b);
  return camlab::where(zero_mask, zero_like_scalar(a), camlab::div(a, safe_b));
}

// amax/amin, and the ±∞ norms through |x|: the gradient is shared evenly by every element equal
// to the extreme (PyTorch's rule), dX = dY · 1[x = y] / #{x = y}. The tie pattern is piecewise
// constant in x, so only dY carries a second derivative.
Tensor even_split_grad(const Tensor& g_keep, const Tensor& x, const Tensor& y_keep,
                       const Shape& dims) {
  const Tensor x_value = camlab::detach(x);
  Tensor hits = ops::eq(x_value, camlab::detach(y_keep)).to(x.dtype());  // like x
  Tensor share = ops::div(hits, ops::sum(hits, dims, true));             // like x
  return camlab::mul(g_keep, share);
}

Tensor extreme(const char* name, const Tensor& x, const Shape& dims, bool keepdim, bool is_max) {
  const RawOpScope raw_forward;
  Tensor y_keep = is_max ? ops::amax(x, dims, true) : ops::amin(x, dims, true);
  Folded f = folded(x, dims);
  Tensor y = keepdim ? y_keep : y_keep.reshape(f.drop_shape);
  // dX = dY · 1[x = y] / #ties: needs x and the keepdim result.
  const autograd::BackwardFn backward = [f](const BackwardContext& ctx) -> Grads {
    return {
        even_split_grad(keepdim_grad(ctx, f.keep_shape), ctx.saved("x"), ctx.saved("y"), f.dims)};
  };
  return autograd::record(name, {x}, y, {{"x", x}, {"y", y_keep}}, backward, backward);
}

// max/min along a dim: values and int64 indices. dX = dY at the chosen index, 0 elsewhere.
std::pair<Tensor, Tensor> extreme_with_index(const char* name, const Tensor& x, int64_t dim,
                                             bool keepdim, bool is_max) {
  const RawOpScope raw_forward;
  auto [values, indices] = is_max ? ops::max(x, dim, keepdim) : ops::min(x, dim, keepdim);
  Folded f = folded(x, {dim});
  const Shape x_shape = x.shape();
  const int64_t d = f.dims.empty() ? 0 : f.dims[0];
  const autograd::BackwardFn backward = [f, x_shape, d](const BackwardContext& ctx) -> Grads {
    Tensor g = keepdim_grad(ctx, f.keep_shape);
    if (x_shape.empty()) return {camlab::reshape(g, {})};
    // positions along d, shaped [1, .., size, .., 1], compared with the saved index
    Shape along(x_shape.size(), 1);
    along[d] = x_shape[d];
    Tensor positions = ops::arange(0, double(x_shape[d]), 1, DType::Int64, g.device());
    Tensor chosen = ops::eq(positions.reshape(along), ctx.saved("indices"));  // like x
    return {camlab::where(chosen, camlab::expand(g, x_shape), zero_like_scalar(g))};
  };
  std::vector<Tensor> out =
      autograd::record(name, {x}, {values, indices}, {{"indices", indices.reshape(f.keep_shape)}},
                       backward, backward);
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
  const autograd::BackwardFn backward = [f, scale](const BackwardContext& ctx) -> Grads {
    const Tensor& x = ctx.saved("x");
    Tensor centered = camlab::sub(x, camlab::mean(x, f.dims, true));
    return {camlab::mul(centered, camlab::mul(keepdim_grad(ctx, f.keep_shape), scale))};
  };
  return autograd::record("var", {x}, y, {{"x", x}}, backward, backward);
}

Tensor std(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::std(x, dims, correction, keepdim);
  Folded f = folded(x, dims);
  const double inv_dof = 1.0 / double(std::max<int64_t>(f.count - correction, 0));
  // dX = dY · (x − mean) / ((n − correction) · σ); 0 where σ = 0 (PyTorch's choice).
  const autograd::BackwardFn backward = [f, inv_dof](const BackwardContext& ctx) -> Grads {
    const Tensor& x = ctx.saved("x");
    const Tensor sigma = camlab::reshape(ctx.saved("y"), f.keep_shape);
    Tensor centered = camlab::sub(x, camlab::mean(x, f.dims, true));
    Tensor per_sigma =
        masked_ratio(camlab::mul(keepdim_grad(ctx, f.keep_shape), inv_dof), sigma, is_zero(sigma));
    return {camlab::mul(centered, per_sigma)};
  };
  return autograd::record("std", {x}, y, {{"x", x}, {"y", y}}, backward, backward);
}

Tensor norm(const Tensor& x, double p, const Shape& dims, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::norm(x, p, dims, keepdim);
  Folded f = folded(x, dims);
  const autograd::BackwardFn backward = [f, p](const BackwardContext& ctx) -> Grads {
    const Tensor& x = ctx.saved("x");
    const Tensor y = camlab::reshape(ctx.saved("y"), f.keep_shape);
    Tensor g = keepdim_grad(ctx, f.keep_shape);
    if (p == 0) return {ops::zeros_like(camlab::detach(x))};  // dX = 0: a count of non-zeros
    if (p == 1) return {camlab::mul(g, camlab::sign(x))};     // dX = dY · sign(x)
    if (std::isinf(p)) {  // dX = dY · sign(x) · 1[|x| = y] / #ties
      return {camlab::mul(camlab::sign(x), even_split_grad(g, camlab::abs(x), y, f.dims))};
    }
    if (p == 2) return {camlab::mul(x, masked_ratio(g, y, is_zero(y)))};  // dY · x / ‖x‖
    // dX = dY · sign(x)·|x|^(p−1) / ‖x‖^(p−1), 0 where x = 0 or ‖x‖ = 0
    Tensor ratio = masked_ratio(g, camlab::pow(y, p - 1), is_zero(y));
    Tensor powered = camlab::mul(camlab::sign(x), camlab::pow(camlab::abs(x), p - 1));
    return {camlab::where(is_zero(x), zero_like_scalar(x), camlab::mul(powered, ratio))};
  };
  return autograd::record("norm", {x}, y, {{"x", x}, {"y", y}}, backward, backward);
}

Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim) {
  const RawOpScope raw_forward;
  Tensor y = ops::logsumexp(x, dims, keepdim);
  Folded f = folded(x, dims);
  // dX = dY · exp(x − y) = dY · softmax(x) over the reduced dims
  const autograd::BackwardFn backward = [f](const BackwardContext& ctx) -> Grads {
    const Tensor y = camlab::reshape(ctx.saved("y"), f.keep_shape);
    Tensor weights = camlab::exp(camlab::sub(ctx.saved("x"), y));
    return {camlab::mul(keepdim_grad(ctx, f.keep_shape), weights)};
  };
  return autograd::record("logsumexp", {x}, y, {{"x", x}, {"y", y}}, backward, backward);
}

}  // namespace camlab
