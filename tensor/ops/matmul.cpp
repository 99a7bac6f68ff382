// matmul frontend: NumPy semantics for 1-d operands and broadcast batch dims, reduced to one
// [B, n, k] x [B, k, m] kernel call.
#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/ops.h"

namespace camlab::ops {

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  const UntrackedOp untracked("ops::matmul", "camlab::matmul", a_in, b_in);
  CAMLAB_CHECK(a_in.dim() >= 1 && b_in.dim() >= 1,
               "matmul: operands must be at least 1-d, got {} and {}", shape_str(a_in.shape()),
               shape_str(b_in.shape()));
  CAMLAB_CHECK(a_in.dtype() == b_in.dtype(), "matmul: dtype mismatch, {} vs {}",
               dtype_name(a_in.dtype()), dtype_name(b_in.dtype()));
  // A 1-d left operand is a row vector, a 1-d right operand a column vector; both dims are
  // dropped from the result again.
  Tensor a = a_in.dim() == 1 ? a_in.unsqueeze(0) : a_in;
  Tensor b = b_in.dim() == 1 ? b_in.unsqueeze(1) : b_in;
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  CAMLAB_CHECK(b.size(-2) == k,
               "matmul: inner dims differ, {} x {} ({} vs {}); the last dim of the first operand "
               "must equal the second-to-last of the second",
               shape_str(a_in.shape()), shape_str(b_in.shape()), k, b.size(-2));
  Shape batch_a(a.shape().begin(), a.shape().end() - 2);
  Shape batch_b(b.shape().begin(), b.shape().end() - 2);
  Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  const int64_t batch_count = camlab::numel(batch);

  Shape a_full = batch, b_full = batch;
  a_full.insert(a_full.end(), {n, k});
  b_full.insert(b_full.end(), {k, m});
  // Flatten the broadcast batch dims into one; reshape copies only when the expanded strides do
  // not allow a view.
  Tensor a3 = a.expand(a_full).reshape({batch_count, n, k});
  Tensor b3 = b.expand(b_full).reshape({batch_count, k, m});
  Tensor out = Tensor::empty({batch_count, n, m}, a.dtype(), a.device());
  dispatch(Op::matmul, a.device(), KernelArgs{.inputs = {a3, b3}, .outputs = {out}});

  Shape out_shape = batch;
  if (a_in.dim() > 1) out_shape.push_back(n);
  if (b_in.dim() > 1) out_shape.push_back(m);
  return out.reshape(out_shape);
}

}  // namespace camlab::ops
