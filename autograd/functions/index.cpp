// Differentiable indexing and joining. Every backward routes dY back to where each element came
// from: slices for cat/stack, scatter_add for the reads (index_select, gather), gather for the
// scatter, and a zeroing mask for masked_fill.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// zeros(shape) with dY added at the positions an index read from along dim: the adjoint of a
// gather (and of index_select, whose 1-d index is first expanded to dY's shape).
Tensor scatter_into_zeros(const Shape& shape, int64_t dim, const Tensor& index,
                          const Tensor& grad_y) {
  return ops::scatter_add(ops::zeros(shape, grad_y.dtype(), grad_y.device()), dim, index, grad_y);
}

// The same, recorded (camlab::scatter_add), for create_graph.
Tensor graph_scatter_into_zeros(const Shape& shape, int64_t dim, const Tensor& index,
                                const Tensor& grad_y) {
  return camlab::scatter_add(ops::zeros(shape, grad_y.dtype(), grad_y.device()), dim, index,
                             grad_y);
}

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  const RawOpScope raw_forward;
  Tensor out = ops::cat(tensors, dim);  // validates the list first
  const int64_t d = normalize_dim(dim, tensors[0].dim(), "cat");
  std::vector<int64_t> sizes;  // each input's extent along d: all backward needs
  for (const Tensor& t : tensors) sizes.push_back(t.size(d));
  // dX_i = dY[.., start_i : start_i + size_i, ..] along dim.
  return autograd::record(
      "cat", tensors, out, {},
      [d, sizes](const BackwardContext& ctx) -> Grads {
        Tensor grad_y = ctx.grad(0);
        Grads grads;
        int64_t start = 0;
        for (size_t i = 0; i < sizes.size(); ++i) {
          grads.push_back(ctx.needs_grad(i) ? grad_y.narrow(d, start, sizes[i]) : Tensor());
          start += sizes[i];
        }
        return grads;
      },
      [d, sizes](const BackwardContext& ctx) -> Grads {
        Tensor grad_y = ctx.grad(0);
        Grads grads;
        int64_t start = 0;
        for (size_t i = 0; i < sizes.size(); ++i) {
          grads.push_back(ctx.needs_grad(i) ? camlab::narrow(grad_y, d, start, sizes[i])
                                            : Tensor());
          start += sizes[i];
        }
        return grads;
      });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  const RawOpScope raw_forward;
  Tensor out = ops::stack(tensors, dim);
  const int64_t d = normalize_dim(dim, tensors[0].dim() + 1, "stack");
  const size_t count = tensors.size();
  // dX_i = dY.select(dim, i).
  return autograd::record(
      "stack", tensors, out, {},
      [d, count](const BackwardContext& ctx) -> Grads {
        Tensor grad_y = ctx.grad(0);
        Grads grads;
        for (size_t i = 0; i < count; ++i) {
          grads.push_back(ctx.needs_grad(i) ? grad_y.select(d, static_cast<int64_t>(i)) : Tensor());
        }
        return grads;
      },
      [d, count](const BackwardContext& ctx) -> Grads {
        Tensor grad_y = ctx.grad(0);
        Grads grads;
        for (size_t i = 0; i < count; ++i) {
          grads.push_back(ctx.needs_grad(i) ? camlab::select(grad_y, d, static_cast<int64_t>(i))
                                            : Tensor());
        }
        return grads;
      });
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const RawOpScope raw_forward;
  Tensor out = ops::index_select(x, dim, index);
  const int64_t d = normalize_dim(dim, x.dim(), "index_select");
  const Shape x_shape = x.shape();
  // dX = index_add(0, dim, index, dY): repeated indices sum their rows. Needs the index only.
  return autograd::record(
      "index_select", {x}, out, {{"index", index}},
      [d, x_shape](const BackwardContext& ctx) -> Grads {
        Tensor grad_y = ctx.grad(0);     // x's shape with L at d
        Shape along(x_shape.size(), 1);  // [1, .., L at d, .., 1]
        along[static_cast<size_t>(d)] = grad_y.size(d);
        Tensor index = ctx.saved("index").reshape(along).expand(grad_y.shape());  // stride 0 off d
        return {scatter_into_zeros(x_shape, d, index, grad_y)};
      },
      [d, x_shape](const BackwardContext& ctx) -> Grads {
        Tensor grad_y = ctx.grad(0);
        Shape along(x_shape.size(), 1);
        along[static_cast<size_t>(d)] = grad_y.size(d);
        Tensor index = ctx.saved("index").reshape(along).expand(grad_y.shape());
        return {graph_scatter_into_zeros(x_shape, d, index, grad_y)};
      });
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  const RawOpScope raw_forward;
  Tensor out = ops::gather(x, dim, index);
  const int64_t d = normalize_dim(dim, x.dim(), "gather");
  const Shape x_shape = x.shape();
  // dX = scatter_add(0, dim, index, dY): the adjoint of the read. Needs the index only.
  return autograd::record(
      "gather", {x}, out, {{"index", index}},
      [d, x_shape](const BackwardContext& ctx) -> Grads {
        return {scatter_into_zeros(x_shape, d, ctx.saved("index"), ctx.grad(0))};
      },
      [d, x_shape](const BackwardContext& ctx) -> Grads {
        return {graph_scatter_into_zeros(x_shape, d, ctx.saved("index"), ctx.grad(0))};
      });
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  const RawOpScope raw_forward;
  Tensor out = ops::scatter_add(x, dim, index, src);
  const int64_t d = normalize_dim(dim, x.dim(), "scatter_add");
  const Shape src_shape = src.shape();
  // dX = dY (x passes through); dsrc = gather(dY, dim, index) where the index reaches and 0 in
  // the part of src beyond the index's extent, which scatter_add never reads.
  return autograd::record(
      "scatter_add", {x, src}, out, {{"index", index}},
      [d, src_shape](const BackwardContext& ctx) -> Grads {
        Tensor grad_y = ctx.grad(0);
        Tensor grad_src;
        if (ctx.needs_grad(1)) {
          const Tensor& index = ctx.saved("index");
          grad_src = ops::gather(grad_y, d, index);  // index's shape
          if (grad_src.shape() != src_shape) {
            Tensor padded = ops::zeros(src_shape, grad_y.dtype(), grad_y.device());
            Tensor window = padded;  // the leading index.shape block of src
            for (int64_t k = 0; k < index.dim(); ++k) window = window.narrow(k, 0, index.size(k));
            window.copy_(grad_src);
            grad_src = padded;
          }
        }
        return {ctx.needs_grad(0) ? grad_y : Tensor(), grad_src};
      },
      [d, src_shape](const BackwardContext& ctx) -> Grads {
        Tensor grad_y = ctx.grad(0);
        Tensor grad_src;
        if (ctx.needs_grad(1)) {
          const Tensor& index = ctx.saved("index");
          CAMLAB_CHECK(index.shape() == src_shape,
                       "scatter_add: create_graph needs the index {} to "
                       "cover all of src {}",
                       shape_str(index.shape()), shape_str(src_shape));
          grad_src = camlab::gather(grad_y, d, index);
        }
        return {ctx.needs_grad(0) ? grad_y : Tensor(), grad_src};
      });
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  const RawOpScope raw_forward;
  // dX = dY where the mask is false, 0 where the filled value replaced x.
  return autograd::record(
      "masked_fill", {x}, ops::masked_fill(x, mask, value), {{"mask", mask}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::masked_fill(ctx.grad(0), ctx.saved("mask"), 0)};
      },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::masked_fill(ctx.grad(0), ctx.saved("mask"), 0)};
      });
}

}  // namespace camlab
