// Host-to-device copies that overlap GPU compute: the copy runs on a separate, non-blocking copy
// stream while the kernels of the previous step still run on camlab's stream.
//
//   cuda::Upload next(pinned_images, Device::cuda());  // queued; returns at once
//   run_step(current);                                 // kernels run while the DMA engine copies
//   Tensor images = next.wait();                       // [B, C, H, W] on the GPU, ready to use
//
// Only pinned host memory (tensor/cuda/pinned.h) copies asynchronously; any other CPU tensor is
// copied synchronously here and wait() just hands it over. The host tensor is held until the copy
// is done, so its pinned block cannot be handed to the next batch while the DMA still reads it;
// the caller must not write into it before wait(). Only in builds with the CUDA backend
// (CAMLAB_WITH_CUDA); no CUDA header is included here.
#pragma once

#include <memory>

#include "tensor/tensor.h"

namespace camlab::cuda {

class Upload {
 public:
  Upload();  // nothing in flight; wait() is an error
  // Starts copying `host` (a CPU tensor) to `device` (a CUDA device).
  Upload(const Tensor& host, Device device);
  ~Upload();  // waits for a copy still in flight, then releases both buffers
  Upload(Upload&&) noexcept;
  Upload& operator=(Upload&&) noexcept;
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;

  bool pending() const { return state_ != nullptr; }
  // Blocks until the copy has landed; returns the device tensor (contiguous, host's shape and
  // dtype). Kernels queued on camlab's stream after this see the copied values.
  Tensor wait();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace camlab::cuda
