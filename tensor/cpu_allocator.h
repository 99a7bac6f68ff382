// The caching allocator behind every CPU tensor: a freed buffer goes to the free list of its size
// class and is handed to the next request of that class, so a steady-state training step takes
// no memory from the OS (no mmap/munmap, no page faults on fresh pages).
//
//   cpu::AllocatorStats s = cpu::allocator_stats();
//   fmt::print("{} B in use, {} B cached, peak {} B\n", s.bytes_in_use, s.bytes_cached,
//              s.peak_bytes_in_use);
//   cpu::empty_cache();   // give the cached buffers back to the OS
//
// Off (plain aligned_alloc/free) in sanitizer builds, so ASan still reports use-after-free, and
// when the environment says CAMLAB_CPU_CACHING=0. The cache holds at most max(an eighth of the RAM
// within [1, 8] GiB, the most bytes ever in use − the bytes in use now); CAMLAB_CPU_CACHE_LIMIT_MB
// sets a fixed cap instead.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tensor/storage.h"

namespace camlab::cpu {

struct AllocatorStats {
  size_t bytes_in_use = 0;       // buffers owned by live storages (size-class bytes)
  size_t bytes_cached = 0;       // free buffers kept for reuse
  size_t peak_bytes_in_use = 0;  // highest bytes_in_use since start or reset_peak()
  uint64_t os_allocations = 0;   // aligned_alloc calls: a cache miss each (or every request
                                 // while caching is off)
  uint64_t cache_hits = 0;       // requests served from a free list
};

AllocatorStats allocator_stats();
// Frees every cached (unused) buffer; buffers in use are untouched.
void empty_cache();
void reset_peak();

// The buffer size a request of nbytes occupies: multiples of 64 B up to 4 KiB, then eight classes
// per power of two (at most 12.5% unused). Requests of one class share a free list.
size_t size_class(size_t nbytes);

// Whether freed buffers are cached. Starts from the environment (CAMLAB_CPU_CACHING=0 turns it
// off) and is always off in sanitizer builds (CAMLAB_NO_CPU_CACHING). Turning it off empties the
// cache; set_caching(true) is ignored in sanitizer builds.
bool caching_enabled();
void set_caching(bool enabled);
// Re-reads CAMLAB_CPU_CACHING and CAMLAB_CPU_CACHE_LIMIT_MB (tests change them after start-up).
void configure_caching_from_env();
// The most bytes the cache may hold now; a freed buffer that would exceed it goes back to the OS.
size_t cache_limit();

// The allocator registered for DeviceType::CPU (tensor/storage.h's allocator_for).
Allocator& host_allocator();

}  // namespace camlab::cpu
