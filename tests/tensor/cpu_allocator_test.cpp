// The CPU caching allocator (tensor/cpu_allocator.h): size classes, reuse of freed buffers, the
// in-use / cached / peak statistics, empty_cache(), the cache limit, and CAMLAB_CPU_CACHING=0.
#include "tensor/cpu_allocator.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tensor/ops.h"

namespace camlab {
namespace {

// Restores the environment's configuration however a test leaves it.
class CpuAllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("CAMLAB_CPU_CACHING");
    unsetenv("CAMLAB_CPU_CACHE_LIMIT_MB");
    cpu::configure_caching_from_env();
    cpu::empty_cache();
  }
  void TearDown() override { SetUp(); }
};

TEST(CpuSizeClass, RoundsToCacheLinesThenEighthsOfAPowerOfTwo) {
  EXPECT_EQ(cpu::size_class(0), 64u);
  EXPECT_EQ(cpu::size_class(1), 64u);
  EXPECT_EQ(cpu::size_class(65), 128u);
  EXPECT_EQ(cpu::size_class(4096), 4096u);
  EXPECT_EQ(cpu::size_class(4097), 4096u + 512u);  // 2^12 / 8 steps
  EXPECT_EQ(cpu::size_class(1 << 20), size_t(1) << 20);
  EXPECT_EQ(cpu::size_class((1 << 20) + 1), (size_t(1) << 20) + (size_t(1) << 17));
  for (size_t n : {size_t(5000), size_t(123457), size_t(6422528), size_t(99999999)}) {
    EXPECT_GE(cpu::size_class(n), n);
    EXPECT_LE(cpu::size_class(n), n + n / 8 + 64);  // at most 12.5% unused
    EXPECT_EQ(cpu::size_class(n) % 64, 0u);
  }
}

#ifndef CAMLAB_NO_CPU_CACHING
TEST_F(CpuAllocatorTest, FreedBufferIsReusedAndStatsFollow) {
  ASSERT_TRUE(cpu::caching_enabled());
  const size_t bytes = cpu::size_class(1000 * 1000 * sizeof(float));
  const cpu::AllocatorStats before = cpu::allocator_stats();
  const void* first = nullptr;
  {
    Tensor a = Tensor::empty({1000, 1000});  // [1000, 1000] float32
    first = a.data<float>();
    const cpu::AllocatorStats live = cpu::allocator_stats();
    EXPECT_EQ(live.bytes_in_use, before.bytes_in_use + bytes);
    EXPECT_GE(live.peak_bytes_in_use, live.bytes_in_use);
    EXPECT_EQ(live.os_allocations, before.os_allocations + 1);
  }
  const cpu::AllocatorStats freed = cpu::allocator_stats();
  EXPECT_EQ(freed.bytes_in_use, before.bytes_in_use);
  EXPECT_EQ(freed.bytes_cached, before.bytes_cached + bytes);

  // The same size class again: the cached buffer, no new OS allocation.
  Tensor b = Tensor::empty({999, 1001});
  EXPECT_EQ(static_cast<const void*>(b.data<float>()), first);
  const cpu::AllocatorStats reused = cpu::allocator_stats();
  EXPECT_EQ(reused.os_allocations, freed.os_allocations);
  EXPECT_EQ(reused.cache_hits, freed.cache_hits + 1);
  EXPECT_EQ(reused.bytes_cached, before.bytes_cached);
}

TEST_F(CpuAllocatorTest, SteadyStateLoopTakesNothingFromTheOs) {
  auto step = [] {
    Tensor x = ops::ones({64, 32, 28, 28});  // [N, C, H, W]
    Tensor y = ops::relu(ops::add(x, 1.0));
    return ops::sum(y).item();
  };
  step();  // warms the cache
  const uint64_t os_before = cpu::allocator_stats().os_allocations;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(step(), 2.0f * 64 * 32 * 28 * 28);
  EXPECT_EQ(cpu::allocator_stats().os_allocations, os_before);
}

TEST_F(CpuAllocatorTest, EmptyCacheAndLimitReturnMemory) {
  { Tensor a = Tensor::empty({1 << 20}); }  // 4 MiB freed into the cache
  EXPECT_GE(cpu::allocator_stats().bytes_cached, size_t(4) << 20);
  cpu::empty_cache();
  EXPECT_EQ(cpu::allocator_stats().bytes_cached, 0u);

  setenv("CAMLAB_CPU_CACHE_LIMIT_MB", "2", 1);
  cpu::configure_caching_from_env();
  EXPECT_EQ(cpu::cache_limit(), size_t(2) << 20);
  { Tensor a = Tensor::empty({1 << 20}); }  // 4 MiB > the 2 MiB limit: straight back to the OS
  EXPECT_EQ(cpu::allocator_stats().bytes_cached, 0u);
  { Tensor small = Tensor::empty({1000}); }  // fits: cached
  EXPECT_EQ(cpu::allocator_stats().bytes_cached, cpu::size_class(4000));
}

// Without a fixed limit the cache may hold up to the high water of bytes in use, past its floor,
// so buffers that were all live at once are all kept and the next identical step takes nothing
// from the OS. The buffers are never touched, so no page is committed.
TEST_F(CpuAllocatorTest, CacheGrowsToTheHighWaterOfBytesInUse) {
  if (!cpu::caching_enabled()) GTEST_SKIP() << "caching is off in this build";
  const size_t floor = cpu::cache_limit();
  EXPECT_GE(floor, size_t(1) << 30);
  const int64_t floats = static_cast<int64_t>((floor / 2 + (size_t(64) << 20)) / 4);
  auto step = [&] {
    Tensor a = Tensor::empty({floats});  // together more than the floor
    Tensor b = Tensor::empty({floats});
  };
  step();
  EXPECT_GE(cpu::allocator_stats().bytes_cached, static_cast<size_t>(8 * floats));  // both kept
  const uint64_t os_before = cpu::allocator_stats().os_allocations;
  step();
  EXPECT_EQ(cpu::allocator_stats().os_allocations, os_before);
}

TEST_F(CpuAllocatorTest, PeakTracksTheHighestInUseAndResets) {
  cpu::reset_peak();
  const size_t base = cpu::allocator_stats().bytes_in_use;
  { Tensor a = Tensor::empty({1 << 18}); }  // 1 MiB
  EXPECT_GE(cpu::allocator_stats().peak_bytes_in_use, base + (size_t(1) << 20));
  cpu::reset_peak();
  EXPECT_EQ(cpu::allocator_stats().peak_bytes_in_use, cpu::allocator_stats().bytes_in_use);
}
#endif

TEST_F(CpuAllocatorTest, EnvVarZeroTurnsCachingOff) {
  setenv("CAMLAB_CPU_CACHING", "0", 1);
  cpu::configure_caching_from_env();
  EXPECT_FALSE(cpu::caching_enabled());
  const cpu::AllocatorStats before = cpu::allocator_stats();
  EXPECT_EQ(before.bytes_cached, 0u);
  { Tensor a = Tensor::empty({1000, 1000}); }
  { Tensor b = Tensor::empty({1000, 1000}); }
  const cpu::AllocatorStats after = cpu::allocator_stats();
  EXPECT_EQ(after.bytes_cached, 0u);  // every free went back to the OS
  EXPECT_EQ(after.os_allocations, before.os_allocations + 2);
  EXPECT_EQ(after.cache_hits, before.cache_hits);
  EXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
}

TEST_F(CpuAllocatorTest, SanitizerBuildsNeverCache) {
#ifdef CAMLAB_NO_CPU_CACHING
  cpu::set_caching(true);
  EXPECT_FALSE(cpu::caching_enabled());
#else
  cpu::set_caching(false);
  EXPECT_FALSE(cpu::caching_enabled());
  cpu::set_caching(true);
  EXPECT_TRUE(cpu::caching_enabled());
#endif
}

#if defined(__SANITIZE_ADDRESS__)
// The reason caching is off under sanitizers: a read through a dangling tensor pointer must be
// an ASan report, not a silent read of a cached buffer.
TEST(CpuAllocatorSanitizer, UseAfterFreeIsReported) {
  EXPECT_DEATH(
      {
        const float* dangling = nullptr;
        {
          Tensor t = ops::ones({1024});
          dangling = t.data<float>();
        }
        volatile float v = dangling[3];
        (void)v;
      },
      "heap-use-after-free");
}
#endif

}  // namespace
}  // namespace camlab
