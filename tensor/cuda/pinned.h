// Page-locked ("pinned") host memory for batches on their way to the GPU: the DMA engine reads it
// directly, so a host-to-device copy runs at full bus speed with no staging copy. The tensors
// made here are ordinary CPU tensors; only their storage is pinned.
//
//   cuda::PinnedBuffer staging;                                  // one per loader worker
//   Tensor host = staging.tensor({64, 1, 28, 28}, DType::Float32);  // CPU tensor, pinned bytes
//   host.copy_(batch_images);                                    // fill it on the CPU
//   Tensor images = host.to(Device::cuda());                     // the fast copy
//
// Only in builds with the CUDA backend (CAMLAB_WITH_CUDA), and an Error without a GPU driver.
// No CUDA header is included here.
#pragma once

#include <cstddef>
#include <memory>

#include "tensor/tensor.h"

namespace camlab::cuda {

// A new contiguous CPU tensor in pinned memory (cudaHostAlloc, freed with cudaFreeHost).
Tensor pinned_empty(const Shape& shape, DType dtype);

// Whether t's storage is pinned host memory made here.
bool is_pinned(const Tensor& t);

// A reusable pinned staging area: tensor() views its bytes, growing it (a new pinned block) when
// a request is larger than any before. Consecutive tensor() calls share the bytes, so a tensor
// from the previous call is overwritten by the next batch: keep one buffer per batch in flight.
class PinnedBuffer {
 public:
  Tensor tensor(const Shape& shape, DType dtype);
  size_t capacity() const { return storage_ ? storage_->nbytes() : 0; }

 private:
  std::shared_ptr<Storage> storage_;
};

}  // namespace camlab::cuda
