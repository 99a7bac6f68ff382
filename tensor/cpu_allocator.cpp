#include "tensor/cpu_allocator.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor/error.h"

namespace camlab::cpu {
namespace {

#ifdef CAMLAB_NO_CPU_CACHING
constexpr bool kCachingBuiltIn = false;  // sanitizer build: every free must reach ASan
#else
constexpr bool kCachingBuiltIn = true;
#endif

// 1 GiB: the reference training step holds ~200 MiB, so the whole steady-state working set of
// the bench's workloads fits while a runaway mix of sizes still cannot hoard the machine.
constexpr size_t kDefaultLimitMiB = 1024;

bool env_caching() {
  const char* v = std::getenv("CAMLAB_CPU_CACHING");
  if (v == nullptr) return true;
  const std::string s(v);
  return !(s == "0" || s == "off" || s == "OFF" || s == "false" || s == "no");
}

size_t env_limit() {
  const char* v = std::getenv("CAMLAB_CPU_CACHE_LIMIT_MB");
  if (v == nullptr || *v == '\0') return kDefaultLimitMiB << 20;
  char* end = nullptr;
  const unsigned long long mib = std::strtoull(v, &end, 10);
  CAMLAB_CHECK(end != nullptr && *end == '\0',
               "CAMLAB_CPU_CACHE_LIMIT_MB='{}' is not a whole number of MiB — unset it or give "
               "e.g. 512",
               v);
  return static_cast<size_t>(mib) << 20;
}

// The machine's RAM in bytes (0 when the system cannot say).
size_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : 0;
}

// A request above the machine's RAM can never be served. With Linux's overcommit the OS would
// still hand out the address range, and touching it would wake the OOM killer; refusing here
// turns a corrupt header or a hostile config into a one-line Error instead of a dead process.
void check_fits_machine(size_t nbytes) {
  static const size_t ram = physical_memory();
  CAMLAB_CHECK(ram == 0 || nbytes <= ram,
               "out of host memory: a tensor of {} bytes ({:.1f} GiB) is asked for, more than this "
               "machine's {:.1f} GiB of RAM; check the sizes in the input or config",
               nbytes, static_cast<double>(nbytes) / (1 << 30),
               static_cast<double>(ram) / (1 << 30));
}

class CachingCpuAllocator final : public Allocator {
 public:
  CachingCpuAllocator() { configure(env_caching(), env_limit()); }

  void* allocate(size_t nbytes) override {
    check_fits_machine(nbytes);
    const size_t rounded = size_class(nbytes);
    std::lock_guard<std::mutex> lock(mutex_);
    void* ptr = nullptr;
    if (enabled_) {
      auto it = free_.find(rounded);
      if (it != free_.end() && !it->second.empty()) {
        ptr = it->second.back();
        it->second.pop_back();
        stats_.bytes_cached -= rounded;
        ++stats_.cache_hits;
      }
    }
    if (ptr == nullptr) {
      ptr = std::aligned_alloc(64, rounded);
      if (ptr == nullptr && stats_.bytes_cached > 0) {  // out of memory: give the cache back first
        release_all();
        ptr = std::aligned_alloc(64, rounded);
      }
      CAMLAB_CHECK(ptr != nullptr, "out of host memory: could not allocate {} bytes", nbytes);
      ++stats_.os_allocations;
    }
    stats_.bytes_in_use += rounded;
    stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
    return ptr;
  }

  void deallocate(void* ptr, size_t nbytes) override {
    const size_t rounded = size_class(nbytes);
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.bytes_in_use -= rounded;
    if (enabled_ && stats_.bytes_cached + rounded <= limit_) {
      free_[rounded].push_back(ptr);
      stats_.bytes_cached += rounded;
      return;
    }
    std::free(ptr);
  }

  Device device() const override { return Device::cpu(); }

  AllocatorStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

  void empty() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_all();
  }

  void reset_peak() {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.peak_bytes_in_use = stats_.bytes_in_use;
  }

  void configure(bool enabled, size_t limit) {
    std::lock_guard<std::mutex> lock(mutex_);
    enabled_ = kCachingBuiltIn && enabled;
    limit_ = limit;
    if (!enabled_) release_all();
  }

  bool enabled() {
    std::lock_guard<std::mutex> lock(mutex_);
    return enabled_;
  }

  size_t limit() {
    std::lock_guard<std::mutex> lock(mutex_);
    return limit_;
  }

 private:
  void release_all() {  // caller holds mutex_
    for (auto& [size, list] : free_) {
      for (void* p : list) std::free(p);
    }
    free_.clear();
    stats_.bytes_cached = 0;
  }

  std::mutex mutex_;
  bool enabled_ = false;
  size_t limit_ = 0;
  std::unordered_map<size_t, std::vector<void*>> free_;  // size class -> free buffers
  AllocatorStats stats_;
};

CachingCpuAllocator& instance() {
  // Never destroyed (cached buffers go with the process): tensors in static storage may be freed
  // after main returns, and must still find their allocator.
  static auto* a = new CachingCpuAllocator();
  return *a;
}

}  // namespace

size_t size_class(size_t nbytes) {
  // 64 bytes: a cache line and one AVX-512 register, so SIMD loads never split lines.
  const size_t n = (std::max<size_t>(nbytes, 1) + 63) / 64 * 64;
  if (n <= 4096) return n;
  const size_t step = std::bit_floor(n) / 8;  // eight classes per power of two
  return (n + step - 1) / step * step;
}

AllocatorStats allocator_stats() { return instance().stats(); }
void empty_cache() { instance().empty(); }
void reset_peak() { instance().reset_peak(); }
bool caching_enabled() { return instance().enabled(); }
void set_caching(bool enabled) { instance().configure(enabled, instance().limit()); }
void configure_caching_from_env() { instance().configure(env_caching(), env_limit()); }
size_t cache_limit() { return instance().limit(); }
Allocator& host_allocator() { return instance(); }

}  // namespace camlab::cpu
