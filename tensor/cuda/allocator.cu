// The caching device allocator (tensor/cuda/allocator.h). All work runs on one stream
// (runtime.cuh), so a block returned here can be reused by the next request right away: every
// kernel that reads the next owner is queued behind the kernels that used the previous one. The
// one writer on another stream, cuda::Upload, first waits for an event recorded on that stream
// when it takes its block (upload.cu).
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <fmt/format.h>

#include <bit>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor/cuda/allocator.h"
#include "tensor/cuda/device.h"

namespace camlab::cuda {

size_t size_class(size_t nbytes) {
  constexpr size_t kSmallStep = 512;
  constexpr size_t kLarge = size_t{1} << 20;  // 1 MiB
  if (nbytes <= kLarge) {
    return std::max<size_t>((nbytes + kSmallStep - 1) / kSmallStep, 1) * kSmallStep;
  }
  // Between 2^k and 2^(k+1): steps of 2^k / 8.
  const size_t step = std::bit_floor(nbytes) / 8;
  return (nbytes + step - 1) / step * step;
}

std::string format_bytes(size_t nbytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(nbytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", nbytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string out_of_memory_message(size_t asked, size_t held, size_t in_use) {
  return fmt::format(
      "CUDA out of memory: asked for {} with {} held by camlab ({} in use); free cached blocks "
      "with cuda::empty_cache()",
      format_bytes(asked), format_bytes(held), format_bytes(in_use));
}

namespace {

// Blocks live on cuda:0: Storage learns its device from the allocator (tensor/storage.h), and
// one allocator is registered per device type.
class CachingAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    if (nbytes == 0) return nullptr;
    const size_t bytes = size_class(nbytes);
    std::lock_guard lock(mutex_);
    std::vector<void*>& free_list = free_[bytes];
    void* ptr = nullptr;
    if (!free_list.empty()) {
      ptr = free_list.back();
      free_list.pop_back();
      stats_.bytes_cached -= bytes;
      ++stats_.cache_hits;
    } else {
      ptr = device_malloc(bytes, nbytes);
    }
    stats_.bytes_in_use += bytes;
    stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
    return ptr;
  }

  void deallocate(void* ptr, size_t nbytes) override {
    if (ptr == nullptr) return;
    const size_t bytes = size_class(nbytes);
    std::lock_guard lock(mutex_);
    free_[bytes].push_back(ptr);
    stats_.bytes_in_use -= bytes;
    stats_.bytes_cached += bytes;
  }

  Device device() const override { return Device::cuda(0); }

  void empty_cache() {
    std::lock_guard lock(mutex_);
    if (stats_.bytes_cached == 0) return;  // also: nothing to do (and no device) without a GPU
    DeviceGuard guard(device());
    for (auto& [bytes, blocks] : free_) {
      for (void* ptr : blocks) CAMLAB_CUDA_CHECK(cudaFree(ptr));
      stats_.bytes_cached -= bytes * blocks.size();
      blocks.clear();
    }
  }

  AllocatorStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  void reset_peak() {
    std::lock_guard lock(mutex_);
    stats_.peak_bytes_in_use = stats_.bytes_in_use;
  }

 private:
  // A cache miss. The cache is not emptied behind the caller's back: what camlab holds stays
  // predictable, and the error says how much is cached and how to release it.
  void* device_malloc(size_t bytes, size_t asked) {
    CAMLAB_CHECK(device_count() > 0,
                 "cuda:0: cannot allocate {}: no CUDA device or driver found; use Device::cpu() "
                 "or run on a machine with a GPU (nvidia-smi should list it)",
                 format_bytes(asked));
    DeviceGuard guard(device());
    void* ptr = nullptr;
    const cudaError_t status = cudaMalloc(&ptr, bytes);
    if (status != cudaSuccess) cudaGetLastError();
    if (status == cudaErrorMemoryAllocation) {
      throw Error(out_of_memory_message(asked, stats_.bytes_in_use + stats_.bytes_cached,
                                        stats_.bytes_in_use));
    }
    CAMLAB_CHECK(status == cudaSuccess,
                 "cuda:0: cannot allocate {}: {} ({}); use Device::cpu() on a machine without a "
                 "usable GPU",
                 format_bytes(asked), cudaGetErrorString(status), cudaGetErrorName(status));
    ++stats_.device_mallocs;
    return ptr;
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;  // size class -> free blocks
  AllocatorStats stats_;
};

// Never destroyed: storages that outlive static destruction may still return blocks.
CachingAllocator& caching_allocator() {
  static auto* allocator = new CachingAllocator();
  return *allocator;
}

}  // namespace

Allocator& device_allocator() { return caching_allocator(); }
AllocatorStats allocator_stats() { return caching_allocator().stats(); }
void empty_cache() { caching_allocator().empty_cache(); }
void reset_peak() { caching_allocator().reset_peak(); }

}  // namespace camlab::cuda
