#include "tensor/storage.h"

#include <array>
#include <cstdlib>
#include <cstring>
#include <new>

#include "tensor/cpu_allocator.h"
#include "tensor/error.h"

namespace camlab {
namespace {

std::array<Allocator*, static_cast<size_t>(DeviceType::COUNT)>& allocators() {
  // CPU: the caching allocator of tensor/cpu_allocator.h (plain aligned_alloc when it is off).
  static std::array<Allocator*, static_cast<size_t>(DeviceType::COUNT)> table{
      &cpu::host_allocator(), nullptr};
  return table;
}

}  // namespace

Allocator& allocator_for(Device device) {
  Allocator* a = allocators()[static_cast<size_t>(device.type)];
  CAMLAB_CHECK(a != nullptr,
               "device {} is not available: this build of camlab has no CUDA backend "
               "(configure with -DCAMLAB_CUDA=ON on a machine with nvcc) or no GPU was found",
               device.str());
  return *a;
}

void register_allocator(DeviceType type, Allocator* allocator) {
  allocators()[static_cast<size_t>(type)] = allocator;
}

namespace {
DeviceCopyFn& device_copy() {
  static DeviceCopyFn fn = nullptr;
  return fn;
}
}  // namespace

void register_device_copy(DeviceCopyFn fn) { device_copy() = fn; }

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) {
  if (nbytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    std::memcpy(dst, src, nbytes);
    return;
  }
  CAMLAB_CHECK(device_copy() != nullptr, "copy from {} to {}: this build has no CUDA backend",
               src_device.str(), dst_device.str());
  device_copy()(dst, dst_device, src, src_device, nbytes);
}

Storage::~Storage() {
  if (data_ != nullptr) allocator_->deallocate(data_, nbytes_);
}

std::shared_ptr<Storage> Storage::make(size_t nbytes, Device device) {
  Allocator& allocator = allocator_for(device);
  return std::make_shared<Storage>(allocator.allocate(nbytes), nbytes, &allocator);
}

}  // namespace camlab
