// Frontends of the reductions. sum/amax/amin/argmax/argmin dispatch to kernels that keep the
// reduced dims as size 1; mean, var, std, norm and logsumexp are compositions of them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/kernel_dtypes.h"
#include "tensor/ops.h"

namespace camlab::ops {
namespace {

// The reduced dims, sorted and non-negative; empty `dims` means every dim. A 0-d tensor accepts
// dim 0 or -1, as PyTorch does, and has nothing to reduce.
Shape reduce_dims(const Tensor& x, const Shape& dims, std::string_view op) {
  CAMLAB_CHECK(x.defined(), "{}: the input is undefined", op);
  if (x.dim() == 0) {
    for (int64_t d : dims) {
      CAMLAB_CHECK(d == 0 || d == -1, "{}: dim {} is out of range for a 0-d tensor (use 0 or -1)",
                   op, d);
    }
    return {};
  }
  Shape out;
  if (dims.empty()) {
    for (int64_t d = 0; d < x.dim(); ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) out.push_back(normalize_dim(d, x.dim(), op));
  std::sort(out.begin(), out.end());
  CAMLAB_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(),
               "{}: dims {} name the same dim twice for shape {}", op, shape_str(dims),
               shape_str(x.shape()));
  return out;
}

bool is_reduced(const Shape& dims, int64_t d) {
  return std::find(dims.begin(), dims.end(), d) != dims.end();
}

// x's shape with the reduced dims set to 1 (keepdim) or removed.
Shape reduced_shape(const Shape& shape, const Shape& dims, bool keepdim) {
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (!is_reduced(dims, d)) {
      out.push_back(shape[d]);
    } else if (keepdim) {
      out.push_back(1);
    }
  }
  return out;
}

// How many elements of x fold into each output element.
int64_t reduced_count(const Tensor& x, const Shape& dims) {
  int64_t count = 1;
  for (int64_t d : dims) count *= x.size(d);
  return count;
}

void check_floating(const Tensor& x, std::string_view op) {
  CAMLAB_CHECK(is_floating(x.dtype()),
               "{}: expected a float32 or float64 input, got {} {}; convert it with "
               ".to(DType::Float32)",
               op, dtype_name(x.dtype()), shape_str(x.shape()));
}

// max/min-style reductions have no identity: every reduced dim must be non-empty.
void check_nonempty(const Tensor& x, const Shape& dims, std::string_view op) {
  for (int64_t d : dims) {
    CAMLAB_CHECK(x.size(d) > 0,
                 "{}: cannot reduce over dim {} of size 0 in {}; the result is undefined", op, d,
                 shape_str(x.shape()));
  }
}

// Runs a ReduceParams kernel: the output keeps reduced dims as 1, then is squeezed if asked.
Tensor run_reduce(Op op, const Tensor& x, const Shape& dims, bool keepdim, DType out_dtype) {
  Tensor out = Tensor::empty(reduced_shape(x.shape(), dims, true), out_dtype, x.device());
  ReduceParams params{.dims = dims};
  dispatch(op, x.device(), KernelArgs{.inputs = {x}, .outputs = {out}, .params = &params});
  return keepdim ? out : out.view(reduced_shape(x.shape(), dims, false));
}

Tensor run_arg(Op op, const Tensor& x, int64_t dim, bool keepdim) {
  const std::string_view name = op_name(op);
  Shape dims = reduce_dims(x, {dim}, name);
  check_nonempty(x, dims, name);
  Tensor out = Tensor::empty(reduced_shape(x.shape(), dims, true), DType::Int64, x.device());
  DimParams params{.dim = dims.empty() ? 0 : dims[0]};
  dispatch(op, x.device(), KernelArgs{.inputs = {x}, .outputs = {out}, .params = &params});
  return keepdim ? out : out.view(reduced_shape(x.shape(), dims, false));
}

Tensor extreme(Op op, const Tensor& x, const Shape& dims, bool keepdim) {
  Shape d = reduce_dims(x, dims, op_name(op));
  check_nonempty(x, d, op_name(op));
  return run_reduce(op, x, d, keepdim, x.dtype());
}

}  // namespace

Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  const UntrackedOp untracked("ops::sum", "camlab::sum", x);
  Shape d = reduce_dims(x, dims, "sum");
  return run_reduce(Op::sum, x, d, keepdim, sum_dtype(x.dtype()));
}

Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  const UntrackedOp untracked("ops::mean", "camlab::mean", x);
  check_floating(x, "mean");
  Shape d = reduce_dims(x, dims, "mean");
  // An empty reduction gives 0 · (1/0) = NaN, as PyTorch does.
  return mul(run_reduce(Op::sum, x, d, keepdim, x.dtype()), 1.0 / double(reduced_count(x, d)));
}

Tensor amax(const Tensor& x, const Shape& dims, bool keepdim) {
  const UntrackedOp untracked("ops::amax", "camlab::amax", x);
  return extreme(Op::amax, x, dims, keepdim);
}
Tensor amin(const Tensor& x, const Shape& dims, bool keepdim) {
  const UntrackedOp untracked("ops::amin", "camlab::amin", x);
  return extreme(Op::amin, x, dims, keepdim);
}

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  const RawOpScope reads_only;  // an integer result carries no gradient
  return run_arg(Op::argmax, x, dim, keepdim);
}
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) {
  const RawOpScope reads_only;  // an integer result carries no gradient
  return run_arg(Op::argmin, x, dim, keepdim);
}

std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  const UntrackedOp untracked("ops::max", "camlab::max", x);
  return {amax(x, {dim}, keepdim), argmax(x, dim, keepdim)};
}
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  const UntrackedOp untracked("ops::min", "camlab::min", x);
  return {amin(x, {dim}, keepdim), argmin(x, dim, keepdim)};
}

// Two passes, Σ(x − mean)² / (n − correction): no cancellation as in E[x²] − E[x]².
Tensor var(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  const UntrackedOp untracked("ops::var", "camlab::var", x);
  check_floating(x, "var");
  Shape d = reduce_dims(x, dims, "var");
  const int64_t n = reduced_count(x, d);
  Tensor centered = sub(x, mean(x, d, /*keepdim=*/true));
  Tensor squares = sum(mul(centered, centered), d, keepdim);
  // n ≤ correction divides by zero: inf, or NaN for a zero sum, as PyTorch.
  return mul(squares, 1.0 / double(std::max<int64_t>(n - correction, 0)));
}

Tensor std(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  const UntrackedOp untracked("ops::std", "camlab::std", x);
  return sqrt(var(x, dims, correction, keepdim));
}

// ‖x‖_p = (Σ|x|^p)^(1/p); p = ∞ is max|x|, −∞ min|x|, 0 counts non-zeros.
Tensor norm(const Tensor& x, double p, const Shape& dims, bool keepdim) {
  const UntrackedOp untracked("ops::norm", "camlab::norm", x);
  check_floating(x, "norm");
  Shape d = reduce_dims(x, dims, "norm");
  if (p == 2) return sqrt(sum(mul(x, x), d, keepdim));
  if (p == 1) return sum(abs(x), d, keepdim);
  if (std::isinf(p)) return p > 0 ? amax(abs(x), d, keepdim) : amin(abs(x), d, keepdim);
  if (p == 0) return sum(ne(x, scalar(0, x.dtype(), x.device())).to(x.dtype()), d, keepdim);
  return pow(sum(pow(abs(x), p), d, keepdim), 1.0 / p);
}

// log Σ exp(x) = m + log Σ exp(x − m), m = max x; an infinite m is replaced by 0 so that
// all −inf gives −inf and a +inf gives +inf instead of NaN from inf − inf.
Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim) {
  const UntrackedOp untracked("ops::logsumexp", "camlab::logsumexp", x);
  check_floating(x, "logsumexp");
  Shape d = reduce_dims(x, dims, "logsumexp");
  Tensor m = amax(x, d, /*keepdim=*/true);
  Tensor zero = scalar(0, x.dtype(), x.device());
  Tensor shift = where(lt(abs(m), std::numeric_limits<double>::infinity()), m, zero);
  Tensor out = add(log(sum(exp(sub(x, shift)), d, /*keepdim=*/true)), shift);
  return keepdim ? out : out.view(reduced_shape(x.shape(), d, false));
}

}  // namespace camlab::ops
