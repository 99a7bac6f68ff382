#include "experiments/train/device_choice.h"

#include <fmt/format.h>

#include "tensor/cuda/device.h"
#include "tensor/error.h"

namespace camlab::experiments {

DeviceChoice choose_device(const std::string& requested) {
  const bool built = cuda::backend_built();
  const int gpus = cuda::device_count();
  if (requested == "cpu") return {Device::cpu(), "device: cpu"};
  if (requested == "cuda" || requested.starts_with("cuda:")) {
    CAMLAB_CHECK(built,
                 "device \"{}\" was asked for, but this build of camlab has no CUDA backend "
                 "(configure with -DCAMLAB_CUDA=ON where nvcc is installed); use device = \"cpu\" "
                 "or \"auto\"",
                 requested);
    CAMLAB_CHECK(gpus > 0,
                 "device \"{}\" was asked for, but no CUDA GPU is available on this machine (no "
                 "driver or no device); use device = \"cpu\" or \"auto\"",
                 requested);
    Device device = Device::parse(requested);
    CAMLAB_CHECK(device.index < gpus, "device \"{}\": only {} GPU(s) here (cuda:0..cuda:{})",
                 requested, gpus, gpus - 1);
    return {device, fmt::format("device: {} ({})", device.str(), cuda::device_name(device.index))};
  }
  CAMLAB_CHECK(requested == "auto", "unknown device \"{}\": expected cpu, cuda, cuda:N or auto",
               requested);
  if (built && gpus > 0) {
    return {Device::cuda(0), fmt::format("device auto: using cuda:0 ({})", cuda::device_name(0))};
  }
  return {Device::cpu(), built ? "device auto: no CUDA GPU found, running on the CPU"
                               : "device auto: this build has no CUDA backend, running on the CPU"};
}

}  // namespace camlab::experiments
