// CUDA dropout mask: inverted dropout (Srivastava et al. 2014, with the 1/(1 − p) rescaling at
// training time so that inference needs none).
//
//   dropout_mask: -> mask (contiguous, floating), mask[i] = u_i ≥ p ? 1/(1 − p) : 0,
//                 u_i = philox_uniform(seed, offset + i)
//
// Element i reads counter offset + i only, so the mask is the CPU's (tensor/cpu/dropout.cpp) for
// the same generator state, bit for bit.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <cstdint>

#include "tensor/cuda/loops.cuh"
#include "tensor/cuda/register.h"
#include "tensor/op_params.h"
#include "tensor/philox.h"

namespace camlab::cuda {
namespace {

template <typename T>
struct DropoutValue {
  uint64_t seed, offset;
  double p;
  T keep_scale;
  __device__ T operator()(int64_t i) const {
    const bool keep = philox_uniform(seed, offset + static_cast<uint64_t>(i)) >= p;
    return keep ? keep_scale : T(0);
  }
};

void dropout_mask_kernel(const KernelArgs& args) {
  const Tensor& mask = args.outputs[0];  // any shape, contiguous
  const auto& p = args.get<DropoutParams>();
  visit_floating(mask.dtype(), "dropout_mask", [&]<typename T>() {
    // p = 1 drops everything; the scale 1/(1 − p) would be infinite and is never used.
    const T keep_scale = p.p < 1 ? static_cast<T>(1.0 / (1.0 - p.p)) : T(0);
    generate<T>("dropout_mask", DropoutValue<T>{p.seed, p.offset, p.p, keep_scale}, mask);
  });
}

}  // namespace

void register_dropout_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::dropout_mask)] = dropout_mask_kernel;
}

}  // namespace camlab::cuda
