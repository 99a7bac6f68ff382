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

// The default cap on cached bytes is max(floor, high water − in use), where the high water is the
// most bytes the process ever had in use and the floor is an eighth of the RAM, within [1, 8] GiB.
// A loop whose steps repeat (a training step, a forward over batches) then takes nothing new from
// the OS after its first step: every fresh page of an OS allocation costs a page fault and a
// zeroing, and ImageNet-scale activations come in many sizes (VGG-16 at batch 16: 205, 103, 51,
// ... MB, about 0.9 GB of distinct buffers per forward), so a 1 GiB cap sent some of them back
// to the OS every forward, a quarter of the forward time. The high-water term lets a workload
// whose buffers were all live at once keep them all, without ever growing the footprint (in use +
// cached) past what it already reached. CAMLAB_CPU_CACHE_LIMIT_MB makes the cap a fixed number.
constexpr size_t kGiB = size_t(1) << 30;

struct CacheLimit {
  size_t bytes = 0;
  bool fixed = false;  // from CAMLAB_CPU_CACHE_LIMIT_MB: no growth with the high water
};

// The machine's RAM in bytes (0 when the system cannot say).
size_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : 0;
}

size_t default_cache_floor() { return std::clamp(physical_memory() / 8, kGiB, 8 * kGiB); }

bool env_caching() {
  const char* v = std::getenv("CAMLAB_CPU_CACHING");
  if (v == nullptr) return true;
  const std::string s(v);
  return !(s == "0" || s == "off" || s == "OFF" || s == "false" || s == "no");
}

CacheLimit env_limit() {
  const char* v = std::getenv("CAMLAB_CPU_CACHE_LIMIT_MB");
  if (v == nullptr || *v == '\0') return {.bytes = default_cache_floor(), .fixed = false};
  char* end = nullptr;
  const unsigned long long mib = std::strtoull(v, &end, 10);
  CAMLAB_CHECK(end != nullptr && *end == '\0',
               "CAMLAB_CPU_CACHE_LIMIT_MB='{}' is not a whole number of MiB — unset it or give "
               "e.g. 512",
               v);
  return {.bytes = static_cast<size_t>(mib) << 20, .fixed = true};
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
    high_water_ = std::max(high_water_, stats_.bytes_in_use);
    return ptr;
  }

  void deallocate(void* ptr, size_t nbytes) override {
    const size_t rounded = size_class(nbytes);
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.bytes_in_use -= rounded;
    if (enabled_ && stats_.bytes_cached + rounded <= cap()) {
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

  void configure(bool enabled, CacheLimit limit) {
    std::lock_guard<std::mutex> lock(mutex_);
    enabled_ = kCachingBuiltIn && enabled;
    limit_ = limit;
    if (!enabled_) release_all();
  }

  bool enabled() {
    std::lock_guard<std::mutex> lock(mutex_);
    return enabled_;
  }

  CacheLimit limit() {
    std::lock_guard<std::mutex> lock(mutex_);
    return limit_;
  }

  size_t current_cap() {
    std::lock_guard<std::mutex> lock(mutex_);
    return cap();
  }

 private:
  // The most bytes the cache may hold now (see kDefaultLimitMiB). Caller holds mutex_.
  size_t cap() const {
    if (limit_.fixed) return limit_.bytes;
    return std::max(limit_.bytes, high_water_ - std::min(high_water_, stats_.bytes_in_use));
  }

  void release_all() {  // caller holds mutex_
    for (auto& [size, list] : free_) {
      for (void* p : list) std::free(p);
    }
    free_.clear();
    stats_.bytes_cached = 0;
  }

  std::mutex mutex_;
  bool enabled_ = false;
  CacheLimit limit_;
  size_t high_water_ = 0;  // the most bytes ever in use (reset_peak() leaves it)
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
size_t cache_limit() { return instance().current_cap(); }
Allocator& host_allocator() { return instance(); }

}  // namespace camlab::cpu
