// Per-device kernel tables. A kernel receives its tensors (outputs already allocated by the
// frontend in tensor/ops/) and an op-specific parameter struct.
//
//   KernelArgs args{.inputs = {x, w}, .outputs = {cols}, .params = &conv_params};
//   dispatch(Op::im2col, x.device(), args);
//
// A device without a kernel for an op is an Error naming the op and the device: never a silent
// CPU fallback.
#pragma once

#include <array>
#include <vector>

#include "tensor/device.h"
#include "tensor/op.h"
#include "tensor/tensor.h"

namespace camlab {

struct KernelArgs {
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
  const void* params = nullptr;  // points to the op's parameter struct (tensor/op_params.h)

  template <typename P>
  const P& get() const {
    return *static_cast<const P*>(params);
  }
};

using Kernel = void (*)(const KernelArgs&);
using KernelTable = std::array<Kernel, kOpCount>;

// The table for a device type; CPU's is filled by tensor/cpu/, CUDA's by tensor/cuda/ when built.
KernelTable& kernel_table(DeviceType type);
bool has_kernel(Op op, DeviceType type);
void dispatch(Op op, Device device, const KernelArgs& args);

}  // namespace camlab
