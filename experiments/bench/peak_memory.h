// Resident memory of this process, for benchmark reports (Linux: /proc and getrusage).
//
//   bool reset = reset_peak_rss();         // the high-water mark restarts from the current RSS
//   run_workload();
//   double mib = peak_rss_mib();           // the workload's peak, libraries included
//
//   reset_device_peak(Device::cuda());    // GPU: the caching allocator's peak bytes in use
//   run_workload();
//   double gpu_mib = device_peak_mib(Device::cuda());
//
// Figures are whole-process resident set sizes: code and shared libraries that are paged in
// count too, so a framework with a large runtime (PyTorch) starts higher before any tensor exists.
#pragma once

#include "tensor/device.h"

namespace camlab::experiments {

// Writes "5" to /proc/self/clear_refs (Linux >= 4.0), which resets the address space's peak RSS
// (VmHWM); false where the kernel refuses.
bool reset_peak_rss();

// VmHWM from /proc/self/status: the peak RSS of this address space since exec or the last reset.
// getrusage's ru_maxrss is the fallback where /proc is unreadable; it is not the first choice
// because it also keeps the peak of the address space the process had before exec — a child
// forked from a large parent (PyTorch in bench/torch_reference.py) inherits the parent's RSS
// there, and clear_refs cannot reset it.
double peak_rss_mib();
double current_rss_mib();  // VmRSS from /proc/self/status; 0 where unreadable
double ru_maxrss_mib();    // getrusage(RUSAGE_SELF).ru_maxrss as it is, for reference

// GPU memory: the peak of bytes held by live CUDA tensors (the caching allocator's
// peak_bytes_in_use, in size-class bytes), the figure PyTorch's torch.cuda.max_memory_allocated
// reports. 0 for the CPU or a build without the CUDA backend.
void reset_device_peak(Device device);
double device_peak_mib(Device device);

}  // namespace camlab::experiments
