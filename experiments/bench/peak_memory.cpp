#include "experiments/bench/peak_memory.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#if CAMLAB_WITH_CUDA
#include "tensor/cuda/allocator.h"
#endif

namespace camlab::experiments {
namespace {

// A "Name:  1234 kB" line of /proc/self/status in MiB; negative when absent.
double status_mib(const std::string& name) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      std::istringstream fields(line.substr(name.size() + 1));
      double kib = -1024;
      fields >> kib;
      return kib / 1024.0;
    }
  }
  return -1;
}

}  // namespace

bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return clear.good();
}

double ru_maxrss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double peak_rss_mib() {
  const double hwm = status_mib("VmHWM");
  return hwm >= 0 ? hwm : ru_maxrss_mib();
}

double current_rss_mib() { return std::max(0.0, status_mib("VmRSS")); }

void reset_device_peak([[maybe_unused]] Device device) {
#if CAMLAB_WITH_CUDA
  if (device.is_cuda()) cuda::reset_peak();
#endif
}

double device_peak_mib([[maybe_unused]] Device device) {
#if CAMLAB_WITH_CUDA
  if (device.is_cuda()) return double(cuda::allocator_stats().peak_bytes_in_use) / (1 << 20);
#endif
  return 0;
}

}  // namespace camlab::experiments
