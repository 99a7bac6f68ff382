// Frontends that create tensors: constants, ranges and seeded random fills.
#include <cmath>

#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/ops.h"

namespace camlab::ops {

void fill_(const Tensor& t, double value) {
  const UntrackedOp untracked("ops::fill_", "", t);  // an in-place write
  ScalarParams p{.a = value};
  dispatch(Op::fill, t.device(), KernelArgs{.outputs = {t}, .params = &p});
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  fill_(t, value);
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  return full(shape, 0, dtype, device);
}
Tensor ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1, dtype, device);
}
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }
Tensor full_like(const Tensor& t, double value) {
  return full(t.shape(), value, t.dtype(), t.device());
}
Tensor scalar(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

Tensor arange(double start, double end, double step, DType dtype, Device device) {
  CAMLAB_CHECK(step != 0, "arange: step must be non-zero");
  auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t = Tensor::empty({std::max<int64_t>(n, 0)}, dtype, device);
  ScalarParams p{.a = start, .b = step};
  dispatch(Op::arange, device, KernelArgs{.outputs = {t}, .params = &p});
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dtype, Device device) {
  CAMLAB_CHECK(steps >= 0, "linspace: steps must be non-negative, got {}", steps);
  double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0;
  Tensor t = Tensor::empty({steps}, dtype, device);
  ScalarParams p{.a = start, .b = step};
  dispatch(Op::arange, device, KernelArgs{.outputs = {t}, .params = &p});
  return t;
}

Tensor eye(int64_t n, DType dtype, Device device) {
  Tensor t = zeros({n, n}, dtype, device);
  // The diagonal of a row-major [n, n] matrix is a strided view with stride n + 1.
  fill_(t.as_strided({n}, {n + 1}, 0), 1);
  return t;
}

namespace {

Tensor random(Op op, const Shape& shape, double a, double b, Generator& gen, DType dtype,
              Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  RandomParams p{
      .seed = gen.seed(), .offset = gen.advance(static_cast<uint64_t>(t.numel())), .a = a, .b = b};
  dispatch(op, device, KernelArgs{.outputs = {t}, .params = &p});
  return t;
}

}  // namespace

Tensor rand(const Shape& shape, Generator& gen, DType dtype, Device device) {
  return random(Op::uniform, shape, 0, 1, gen, dtype, device);
}
Tensor uniform(const Shape& shape, double low, double high, Generator& gen, DType dtype,
               Device device) {
  return random(Op::uniform, shape, low, high, gen, dtype, device);
}
Tensor randn(const Shape& shape, Generator& gen, DType dtype, Device device) {
  return random(Op::normal, shape, 0, 1, gen, dtype, device);
}
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen, Device device) {
  CAMLAB_CHECK(low < high, "randint: empty range [{}, {})", low, high);
  return random(Op::randint, shape, static_cast<double>(low), static_cast<double>(high), gen,
                DType::Int64, device);
}

}  // namespace camlab::ops
