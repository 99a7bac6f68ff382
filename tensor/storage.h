// A refcounted buffer of bytes on one device, and the allocators that make them.
//
//   auto storage = Storage::make(1024, Device::cpu());   // 1024 bytes, 64-byte aligned
//   float* p = static_cast<float*>(storage->data());
//   // Tensors share one Storage through std::shared_ptr; views never copy bytes.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tensor/device.h"

namespace camlab {

class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* ptr, size_t nbytes) = 0;
  virtual Device device() const = 0;
};

// The allocator for a device. CPU memory is 64-byte aligned (one AVX-512 register, one cache
// line). The CUDA allocator is registered by tensor/cuda when the backend is built; asking for it
// otherwise is an Error that says so.
Allocator& allocator_for(Device device);
void register_allocator(DeviceType type, Allocator* allocator);

// Copies bytes between any two devices; host-to-host is memcpy, the rest is registered by the
// CUDA backend (register_device_copy) and an Error without it.
using DeviceCopyFn = void (*)(void* dst, Device dst_device, const void* src, Device src_device,
                              size_t nbytes);
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);
void register_device_copy(DeviceCopyFn fn);

class Storage {
 public:
  Storage(void* data, size_t nbytes, Allocator* allocator)
      : data_(data), nbytes_(nbytes), allocator_(allocator) {}
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  static std::shared_ptr<Storage> make(size_t nbytes, Device device);

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return allocator_->device(); }

  // Counts the kernel writes into these bytes (every dispatch bumps each output's storage). A
  // backward node remembers the version of each tensor it saved and refuses to read one that was
  // written since (autograd/node.h), as PyTorch's version counter. Views share the storage and so
  // the counter. Writes through raw pointers (data<T>()) bypass it.
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_;
  size_t nbytes_;
  Allocator* allocator_;
  std::atomic<uint64_t> version_{0};
};

}  // namespace camlab
