// Frontend of the inverted-dropout mask (kernel in tensor/cpu/dropout.cpp).
#include "tensor/dispatch.h"
#include "tensor/ops.h"

namespace camlab::ops {

Tensor dropout_mask(const Shape& shape, double p, Generator& gen, DType dtype, Device device) {
  CAMLAB_CHECK(p >= 0 && p <= 1, "dropout_mask: p must be in [0, 1], got {} (for shape {})", p,
               shape_str(shape));
  CAMLAB_CHECK(is_floating(dtype), "dropout_mask: dtype must be float32 or float64, got {}",
               dtype_name(dtype));
  Tensor mask = Tensor::empty(shape, dtype, device);  // like x
  // Reserving numel counters makes the next draw from gen independent of this mask.
  DropoutParams params{
      .p = p, .seed = gen.seed(), .offset = gen.advance(static_cast<uint64_t>(mask.numel()))};
  dispatch(Op::dropout_mask, device, KernelArgs{.outputs = {mask}, .params = &params});
  return mask;
}

}  // namespace camlab::ops
