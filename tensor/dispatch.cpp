#include "tensor/dispatch.h"

#include "tensor/cpu/register.h"
#include "tensor/graph_guard.h"
#if defined(CAMLAB_WITH_CUDA)
#include "tensor/cuda/backend.h"
#endif

namespace camlab {

KernelTable& kernel_table(DeviceType type) {
  static KernelTable cpu = cpu::make_kernel_table();
#if defined(CAMLAB_WITH_CUDA)
  static KernelTable cuda = camlab::cuda::make_kernel_table();
#else
  static KernelTable cuda{};  // no CUDA backend in this build: every op is a clear error
#endif
  return type == DeviceType::CPU ? cpu : cuda;
}

bool has_kernel(Op op, DeviceType type) {
  return kernel_table(type)[static_cast<size_t>(op)] != nullptr;
}

void dispatch(Op op, Device device, const KernelArgs& args) {
  Kernel kernel = kernel_table(device.type)[static_cast<size_t>(op)];
  CAMLAB_CHECK(kernel != nullptr, "op '{}' has no kernel for device {}", op_name(op), device.str());
  for (const Tensor& t : args.inputs) {
    CAMLAB_CHECK(!t.defined() || t.device() == device,
                 "{}: inputs are on different devices ({} and {}); move them with to()",
                 op_name(op), t.device().str(), device.str());
  }
  // The net under the frontends' own checks (tensor/graph_guard.h): a kernel entered outside any
  // op on a tensor that requires grad would cut the graph.
  if (untracked_check_active()) {
    for (const Tensor& t : args.inputs) check_untracked_input(op_name(op), "", t);
  }
  kernel(args);
  // Every kernel write is an in-place write for whoever still holds these bytes: a fresh output
  // goes from version 0 to 1 harmlessly, a written saved tensor makes its node's backward refuse.
  for (const Tensor& t : args.outputs) {
    if (t.defined()) t.storage()->bump_version();
  }
}

}  // namespace camlab
