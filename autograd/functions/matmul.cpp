// Differentiable matmul and the linear layer's affine map.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// The transpose of the last two dims (a view: BLAS reads it as a transpose, no copy).
Tensor mT(const Tensor& t) { return t.transpose(-1, -2); }

// dY in the lifted [..., n, m] shape of matrices a2 · b2 (1-d operands dropped a dim from the
// result).
Shape lifted_grad_shape(const Tensor& a2, const Tensor& b2) {
  Shape lifted = broadcast_shapes(Shape(a2.shape().begin(), a2.shape().end() - 2),
                                  Shape(b2.shape().begin(), b2.shape().end() - 2), "matmul");
  lifted.push_back(a2.size(-2));
  lifted.push_back(b2.size(-1));
  return lifted;
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  const RawOpScope raw_forward;
  // Y = A·B: dA = dY·Bᵀ, dB = Aᵀ·dY (then summed over broadcast batch dims). 1-d operands are
  // lifted to matrices so one formula serves every case.
  return autograd::record(
      "matmul", {a, b}, ops::matmul(a, b), {{"a", a}, {"b", b}},
      [](const BackwardContext& ctx) -> Grads {
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b");
        Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
        Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
        Tensor g = ctx.grad(0).reshape(lifted_grad_shape(a2, b2));
        Tensor da, db;
        if (ctx.needs_grad(0))
          da = ops::sum_to(ops::matmul(g, mT(b2)), a2.shape()).reshape(a.shape());
        if (ctx.needs_grad(1))
          db = ops::sum_to(ops::matmul(mT(a2), g), b2.shape()).reshape(b.shape());
        return {da, db};
      },
      [](const BackwardContext& ctx) -> Grads {
        // The same formula in recorded ops: dA and dB are matmuls again, bilinear in (dY, B)
        // and (A, dY), so create_graph differentiates them like any other product.
        const Tensor &a = ctx.saved("a"), &b = ctx.saved("b");
        Tensor a2 = a.dim() == 1 ? camlab::unsqueeze(a, 0) : a;
        Tensor b2 = b.dim() == 1 ? camlab::unsqueeze(b, 1) : b;
        Tensor g = camlab::reshape(ctx.grad(0), lifted_grad_shape(a2, b2));
        Tensor da, db;
        if (ctx.needs_grad(0)) {
          da = camlab::reshape(
              camlab::sum_to(camlab::matmul(g, camlab::transpose(b2, -1, -2)), a2.shape()),
              a.shape());
        }
        if (ctx.needs_grad(1)) {
          db = camlab::reshape(
              camlab::sum_to(camlab::matmul(camlab::transpose(a2, -1, -2), g), b2.shape()),
              b.shape());
        }
        return {da, db};
      });
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  CAMLAB_CHECK(x.dim() >= 1 && weight.dim() == 2 && x.size(-1) == weight.size(1),
               "linear: input {} does not fit weight {} (the input's last dim must equal the "
               "weight's in_features)",
               shape_str(x.shape()), shape_str(weight.shape()));
  // y = x·Wᵀ + b with W in PyTorch's [out, in] layout; Wᵀ is a view that BLAS reads transposed.
  Tensor y = matmul(x, transpose(weight, 0, 1));
  return bias.defined() ? add(y, bias) : y;
}

}  // namespace camlab
