// CPU dropout mask: inverted dropout (Srivastava et al. 2014, with the 1/(1 − p) rescaling at
// training time so that inference needs none).
//
//   dropout_mask: -> mask (contiguous, floating), mask[i] = u_i ≥ p ? 1/(1 − p) : 0,
//                 u_i = philox_uniform(seed, offset + i)
//
// Element i reads counter offset + i only, so the mask is the same for a seed whatever the thread
// count, and the same as the CUDA kernel's.
#include <cstdint>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/op_params.h"
#include "tensor/philox.h"

namespace camlab::cpu {
namespace {

void dropout_mask_kernel(const KernelArgs& args) {
  const Tensor& mask = args.outputs[0];  // any shape, contiguous
  const auto& p = args.get<DropoutParams>();
  visit_floating(mask.dtype(), "dropout_mask", [&]<typename T>() {
    T* out = mask.data<T>();
    const int64_t n = mask.numel();
    // p = 1 drops everything; the scale 1/(1 − p) would be infinite and is never used.
    const T keep_scale = p.p < 1 ? static_cast<T>(1.0 / (1.0 - p.p)) : T(0);
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
    for (int64_t i = 0; i < n; ++i) {
      const bool keep = philox_uniform(p.seed, p.offset + static_cast<uint64_t>(i)) >= p.p;
      out[i] = keep ? keep_scale : T(0);
    }
  });
}

}  // namespace

void register_dropout_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::dropout_mask)] = dropout_mask_kernel;
}

}  // namespace camlab::cpu
