// Pinned host memory (tensor/cuda/pinned.h): an Allocator whose device is the CPU, so tensors on
// it are CPU tensors everywhere; copies from it to the GPU go through copy_between_devices.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <mutex>
#include <unordered_map>

#include "tensor/cuda/allocator.h"
#include "tensor/cuda/pinned.h"

namespace camlab::cuda {
namespace {

// cudaHostAlloc and cudaFreeHost are slow (they page-lock and unmap host memory, and cudaFreeHost
// synchronizes the device), and a DataLoader pinning every batch would pay both per batch. Freed
// blocks are therefore kept by exact size and handed out again, as PyTorch's caching host
// allocator does. Reuse is safe because no copy can still be reading a freed pinned tensor:
// Tensor::to copies synchronously (tensor/cuda/memory.cu), and cuda::Upload holds its source
// tensor until its asynchronous copy is done (tensor/cuda/upload.cu).
class PinnedAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    if (nbytes == 0) return nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto cached = free_blocks_.find(nbytes);
      if (cached != free_blocks_.end()) {
        void* ptr = cached->second;
        free_blocks_.erase(cached);
        return ptr;
      }
    }
    void* ptr = nullptr;
    const cudaError_t status = cudaHostAlloc(&ptr, nbytes, cudaHostAllocDefault);
    if (status != cudaSuccess) {
      cudaGetLastError();
      fail(
          "pinned memory: cannot allocate {}: {} ({}); pinned buffers need a CUDA driver and "
          "device, use ordinary CPU tensors without one",
          format_bytes(nbytes), cudaGetErrorString(status), cudaGetErrorName(status));
    }
    return ptr;
  }
  void deallocate(void* ptr, size_t nbytes) override {
    if (ptr == nullptr) return;
    std::lock_guard<std::mutex> lock(mutex_);
    free_blocks_.emplace(nbytes, ptr);
  }
  Device device() const override { return Device::cpu(); }

 private:
  std::mutex mutex_;  // the DataLoader's background thread allocates while the trainer frees
  std::unordered_multimap<size_t, void*> free_blocks_;  // size in bytes -> cached pinned block
};

// Never destroyed: pinned storages may outlive static destruction.
PinnedAllocator& pinned_allocator() {
  static auto* allocator = new PinnedAllocator();
  return *allocator;
}

Tensor view_storage(const std::shared_ptr<Storage>& storage, const Shape& shape, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = storage;
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

std::shared_ptr<Storage> pinned_storage(size_t nbytes) {
  return std::make_shared<Storage>(pinned_allocator().allocate(nbytes), nbytes,
                                   &pinned_allocator());
}

size_t bytes_of(const Shape& shape, DType dtype) {
  for (int64_t s : shape) {
    CAMLAB_CHECK(s >= 0, "pinned_empty: negative size in shape {}", shape_str(shape));
  }
  return static_cast<size_t>(numel(shape)) * dtype_size(dtype);
}

}  // namespace

Tensor pinned_empty(const Shape& shape, DType dtype) {
  return view_storage(pinned_storage(bytes_of(shape, dtype)), shape, dtype);
}

bool is_pinned(const Tensor& t) {
  if (!t.defined() || t.storage() == nullptr) return false;
  cudaPointerAttributes attributes{};
  if (cudaPointerGetAttributes(&attributes, t.storage()->data()) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return attributes.type == cudaMemoryTypeHost;
}

Tensor PinnedBuffer::tensor(const Shape& shape, DType dtype) {
  const size_t nbytes = bytes_of(shape, dtype);
  if (capacity() < nbytes) storage_ = pinned_storage(nbytes);
  return view_storage(storage_, shape, dtype);
}

}  // namespace camlab::cuda
