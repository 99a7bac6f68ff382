// A seeded source of random numbers that gives the same stream on every run, machine and device.
//
//   Generator gen(42);
//   Tensor w = ops::randn({32, 1, 3, 3}, gen);    // same values everywhere for seed 42
//   Tensor idx = gen.permutation(60000);          // shuffling a dataset
//
// It is counter-based (Philox-4x32-10, Salmon et al. 2011): a draw of n numbers reserves the
// counter range [offset, offset + n), so results never depend on thread scheduling.
#pragma once

#include <cstdint>
#include <vector>

namespace camlab {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}

  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) {
    seed_ = seed;
    offset_ = offset;
  }
  // Reserves n counters and returns the first.
  uint64_t advance(uint64_t n) {
    uint64_t first = offset_;
    offset_ += n;
    return first;
  }

  double uniform();                             // one number in [0, 1)
  int64_t integer(int64_t low, int64_t high);   // one number in [low, high)
  std::vector<int64_t> permutation(int64_t n);  // Fisher–Yates over [0, n)

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
};

// The process-wide generator used when none is passed.
Generator& default_generator();

}  // namespace camlab
