// A zeroed scratch buffer for one kernel call, from the caching host allocator.
//
//   ZeroedScratch<float> padded(channels * padded_plane);   // all zeros
//   fill_interior(padded.get());                           // borders stay zero
//
// Why not `new T[n]()`: a fresh allocation of several MB (the padded input of a 224×224 layer is
// 13 MB) is an mmap whose every page faults and is zeroed by the kernel on first touch, in every
// call; a cached buffer is only zeroed, here.
#pragma once

#include <algorithm>
#include <cstddef>

#include "tensor/cpu_allocator.h"

namespace camlab::cpu {

template <typename T>
class ZeroedScratch {
 public:
  explicit ZeroedScratch(size_t size)
      : bytes_(std::max<size_t>(size, 1) * sizeof(T)),
        data_(static_cast<T*>(host_allocator().allocate(bytes_))) {
    std::fill(data_, data_ + std::max<size_t>(size, 1), T(0));
  }
  ~ZeroedScratch() { host_allocator().deallocate(data_, bytes_); }
  ZeroedScratch(const ZeroedScratch&) = delete;
  ZeroedScratch& operator=(const ZeroedScratch&) = delete;
  T* get() const { return data_; }

 private:
  size_t bytes_;
  T* data_;
};

}  // namespace camlab::cpu
