// The caching allocator behind every CUDA tensor: freed blocks go to a free list of their size
// class and are handed to the next request of that class, so a training step calls cudaMalloc
// only while the cache warms up (cudaMalloc and cudaFree synchronise the device and cost
// ~0.1-1 ms each).
//
//   cuda::AllocatorStats s = cuda::allocator_stats();
//   fmt::print("{} in use, {} cached, peak {}\n", cuda::format_bytes(s.bytes_in_use),
//              cuda::format_bytes(s.bytes_cached), cuda::format_bytes(s.peak_bytes_in_use));
//   cuda::empty_cache();   // give the cached blocks back to the driver
//
// Only in builds with the CUDA backend (CAMLAB_WITH_CUDA); no CUDA header is included here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tensor/storage.h"

namespace camlab::cuda {

struct AllocatorStats {
  size_t bytes_in_use = 0;       // blocks owned by live storages (size-class bytes)
  size_t bytes_cached = 0;       // free blocks kept for reuse
  size_t peak_bytes_in_use = 0;  // highest bytes_in_use since start or reset_peak()
  uint64_t device_mallocs = 0;   // cudaMalloc calls: a cache miss each
  uint64_t cache_hits = 0;       // requests served from a free list
};

AllocatorStats allocator_stats();
// Frees every cached (unused) block with cudaFree; blocks in use are untouched.
void empty_cache();
void reset_peak();

// The block size a request of nbytes occupies: multiples of 512 B below 1 MiB, then eight
// classes per power of two (at most 12.5% unused). Requests of one class share a free list.
size_t size_class(size_t nbytes);

// "512.0 MiB": binary units with one decimal, as in the out-of-memory message.
std::string format_bytes(size_t nbytes);

// The Error text when cudaMalloc fails for `asked` bytes while camlab holds `held` bytes (in use
// plus cached), `in_use` of them by live tensors.
std::string out_of_memory_message(size_t asked, size_t held, size_t in_use);

// The allocator registered for DeviceType::CUDA (tensor/storage.h's allocator_for).
Allocator& device_allocator();

}  // namespace camlab::cuda
