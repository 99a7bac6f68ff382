// Frontends of the softmax family: one dim, floating inputs, contiguous buffers for the kernels.
#include <string_view>

#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/ops.h"

namespace camlab::ops {
namespace {

// A 0-d tensor behaves as one element along dim 0 (or -1), as in PyTorch.
int64_t softmax_dim(const Tensor& x, int64_t dim, std::string_view op) {
  return normalize_dim(dim, x.dim() == 0 ? 1 : x.dim(), op);
}

void check_floating_input(const Tensor& x, std::string_view op) {
  CAMLAB_CHECK(x.defined(), "{}: the input is undefined", op);
  CAMLAB_CHECK(is_floating(x.dtype()),
               "{}: expected a float32 or float64 input, got {} {}; convert it with "
               ".to(DType::Float32)",
               op, dtype_name(x.dtype()), shape_str(x.shape()));
}

Tensor forward(Op op, const Tensor& x, int64_t dim) {
  check_floating_input(x, op_name(op));
  DimParams params{.dim = softmax_dim(x, dim, op_name(op))};
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  dispatch(op, x.device(),
           KernelArgs{.inputs = {x.contiguous()}, .outputs = {y}, .params = &params});
  return y;
}

Tensor backward(Op op, const Tensor& grad_y, const Tensor& y, int64_t dim) {
  check_floating_input(y, op_name(op));
  CAMLAB_CHECK(grad_y.defined() && grad_y.shape() == y.shape() && grad_y.dtype() == y.dtype(),
               "{}: grad_y {} {} must match the forward output {} {}", op_name(op),
               grad_y.defined() ? dtype_name(grad_y.dtype()) : "undefined",
               grad_y.defined() ? shape_str(grad_y.shape()) : "", dtype_name(y.dtype()),
               shape_str(y.shape()));
  DimParams params{.dim = softmax_dim(y, dim, op_name(op))};
  Tensor grad_x = Tensor::empty(y.shape(), y.dtype(), y.device());
  dispatch(
      op, y.device(),
      KernelArgs{
          .inputs = {grad_y.contiguous(), y.contiguous()}, .outputs = {grad_x}, .params = &params});
  return grad_x;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  const UntrackedOp untracked("ops::softmax", "camlab::softmax", x);
  return forward(Op::softmax, x, dim);
}
Tensor log_softmax(const Tensor& x, int64_t dim) {
  const UntrackedOp untracked("ops::log_softmax", "camlab::log_softmax", x);
  return forward(Op::log_softmax, x, dim);
}

Tensor softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim) {
  const UntrackedOp untracked("ops::softmax_backward", "", grad_y, y);
  return backward(Op::softmax_backward, grad_y, y, dim);
}
Tensor log_softmax_backward(const Tensor& grad_y, const Tensor& y, int64_t dim) {
  const UntrackedOp untracked("ops::log_softmax_backward", "", grad_y, y);
  return backward(Op::log_softmax_backward, grad_y, y, dim);
}

}  // namespace camlab::ops
