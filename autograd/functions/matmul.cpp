// Differentiable matmul and the linear layer's affine map.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// The transpose of the last two dims (a view: BLAS reads it as a transpose, no copy).
Tensor mT(const Tensor& t) { return t.transpose(-1, -2); }
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
        // dY in the lifted [..., n, m] shape (1-d operands dropped a dim from the result).
        Shape lifted = broadcast_shapes(Shape(a2.shape().begin(), a2.shape().end() - 2),
                                        Shape(b2.shape().begin(), b2.shape().end() - 2), "matmul");
        lifted.push_back(a2.size(-2));
        lifted.push_back(b2.size(-1));
        Tensor g = ctx.grad(0).reshape(lifted);
        Tensor da, db;
        if (ctx.needs_grad(0))
          da = ops::sum_to(ops::matmul(g, mT(b2)), a2.shape()).reshape(a.shape());
        if (ctx.needs_grad(1))
          db = ops::sum_to(ops::matmul(mT(a2), g), b2.shape()).reshape(b.shape());
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
