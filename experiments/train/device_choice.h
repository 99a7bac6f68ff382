// Which device a run uses: experiment.device or --device ("cpu", "cuda", "auto").
//
//   DeviceChoice d = choose_device("auto");
//   log.info("{}", d.note);     // "device auto: no CUDA GPU found, running on the CPU"
//   model->to(d.device);
#pragma once

#include <string>

#include "tensor/device.h"

namespace camlab::experiments {

struct DeviceChoice {
  Device device;
  std::string note;  // one line for the log saying what was chosen and why
};

// "cuda" without a usable GPU is an Error that says so and names the alternatives.
DeviceChoice choose_device(const std::string& requested);

}  // namespace camlab::experiments
