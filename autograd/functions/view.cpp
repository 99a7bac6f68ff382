// Differentiable views and copies. A view's backward puts the gradient back into the input's
// layout: reshape undoes reshape, permute applies the inverse permutation, a slice scatters into
// zeros, and expand sums over the broadcast dims.
#include <numeric>
#include <string>

#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// Any op whose backward is "reshape the gradient back to the input's shape"; `reshape` makes the
// view from x.
template <typename Reshape>
Tensor reshaping(const char* name, const Tensor& x, Reshape reshape) {
  const RawOpScope raw_forward;
  Shape in = x.shape();
  return autograd::record(
      name, {x}, reshape(x), {},
      [in](const BackwardContext& ctx) -> Grads { return {ctx.grad(0).reshape(in)}; },
      [in](const BackwardContext& ctx) -> Grads { return {camlab::reshape(ctx.grad(0), in)}; });
}

// Any op that picks a sub-view: its gradient is zeros with the picked part filled from dY.
template <typename Pick>
Tensor picking(const char* name, const Tensor& x, Pick pick) {
  const RawOpScope raw_forward;
  Shape in = x.shape();
  // dY written into zeros of x's shape at the picked part.
  auto embed = [in, pick](const Tensor& g) {
    Tensor dx = ops::zeros(in, g.dtype(), g.device());
    pick(dx).copy_(g);
    return dx;
  };
  return autograd::record(
      name, {x}, pick(x), {},
      [embed](const BackwardContext& ctx) -> Grads { return {embed(ctx.grad(0))}; },
      [name, embed, pick](const BackwardContext& ctx) -> Grads {
        // The embedding is linear in dY; its adjoint picks again, so it nests to any order.
        return {autograd::record_linear_backward(
            std::string(name) + "_backward", ctx.grad(0), embed,
            [name, pick](const Tensor& u) { return picking(name, u, pick); })};
      });
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  return reshaping("reshape", x, [&](const Tensor& t) { return t.reshape(shape); });
}
Tensor view(const Tensor& x, const Shape& shape) {
  return reshaping("view", x, [&](const Tensor& t) { return t.view(shape); });
}
Tensor squeeze(const Tensor& x, int64_t dim) {
  return reshaping("squeeze", x, [&](const Tensor& t) { return t.squeeze(dim); });
}
Tensor unsqueeze(const Tensor& x, int64_t dim) {
  return reshaping("unsqueeze", x, [&](const Tensor& t) { return t.unsqueeze(dim); });
}
Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  return reshaping("flatten", x, [&](const Tensor& t) { return t.flatten(start_dim, end_dim); });
}

Tensor permute(const Tensor& x, const Shape& dims) {
  const RawOpScope raw_forward;
  Tensor y = x.permute(dims);
  Shape inverse(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) inverse[normalize_dim(dims[i], x.dim(), "permute")] = i;
  return autograd::record(
      "permute", {x}, y, {},
      [inverse](const BackwardContext& ctx) -> Grads { return {ctx.grad(0).permute(inverse)}; },
      [inverse](const BackwardContext& ctx) -> Grads {
        return {camlab::permute(ctx.grad(0), inverse)};
      });
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  const RawOpScope raw_forward;
  return autograd::record(
      "transpose", {x}, x.transpose(dim0, dim1), {},
      [dim0, dim1](const BackwardContext& ctx) -> Grads {
        return {ctx.grad(0).transpose(dim0, dim1)};
      },
      [dim0, dim1](const BackwardContext& ctx) -> Grads {
        return {camlab::transpose(ctx.grad(0), dim0, dim1)};
      });
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  return picking("narrow", x, [=](const Tensor& t) { return t.narrow(dim, start, length); });
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return picking("slice", x, [=](const Tensor& t) { return t.slice(dim, start, end, step); });
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  return picking("select", x, [=](const Tensor& t) { return t.select(dim, index); });
}

Tensor expand(const Tensor& x, const Shape& shape) {
  const RawOpScope raw_forward;
  Shape in = x.shape();
  return autograd::record(
      "expand", {x}, x.expand(shape), {},
      [in](const BackwardContext& ctx) -> Grads { return {ops::sum_to(ctx.grad(0), in)}; },
      [in](const BackwardContext& ctx) -> Grads { return {camlab::sum_to(ctx.grad(0), in)}; });
}

Tensor contiguous(const Tensor& x) {
  const RawOpScope raw_forward;
  return autograd::record(
      "contiguous", {x}, x.contiguous(), {},
      [](const BackwardContext& ctx) -> Grads { return {ctx.grad(0)}; },
      [](const BackwardContext& ctx) -> Grads { return {ctx.grad(0)}; });
}

Tensor to(const Tensor& x, DType dtype) {
  const RawOpScope raw_forward;
  DType in = x.dtype();
  return autograd::record(
      "to_dtype", {x}, x.to(dtype), {},
      [in](const BackwardContext& ctx) -> Grads { return {ctx.grad(0).to(in)}; },
      [in](const BackwardContext& ctx) -> Grads { return {camlab::to(ctx.grad(0), in)}; });
}

Tensor to(const Tensor& x, Device device) {
  const RawOpScope raw_forward;
  Device in = x.device();
  return autograd::record(
      "to_device", {x}, x.to(device), {},
      [in](const BackwardContext& ctx) -> Grads { return {ctx.grad(0).to(in)}; },
      [in](const BackwardContext& ctx) -> Grads { return {camlab::to(ctx.grad(0), in)}; });
}

Tensor detach(const Tensor& x) { return make_view(x, x.shape(), x.strides(), x.offset()); }

}  // namespace camlab
