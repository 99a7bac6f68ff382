// Seeds derived from (seed, epoch, index), so every random choice in datasets/ is a pure function
// of where it happens and never of thread timing or of what ran before.
//
//   uint64_t order_key = derive_seed(derive_seed(seed, kShuffleStream), epoch);
//   Generator gen(sample_seed(seed, epoch, index));    // the augmentation stream of one sample
//   std::vector<int64_t> order = Generator(order_key).permutation(n);
//
// Philox is a bijection of the counter for a fixed key (Salmon et al. 2011), so distinct counters
// under one key never collide; nesting keys separates the streams.
#pragma once

#include <cstdint>

#include "tensor/philox.h"

namespace camlab::datasets {

// Stream tags: different uses of one experiment seed draw unrelated numbers.
constexpr uint64_t kShuffleStream = 0x5348'5546'464c'4531ull;    // "SHUFFLE1"
constexpr uint64_t kAugmentStream = 0x4155'474d'454e'5431ull;    // "AUGMENT1"
constexpr uint64_t kSyntheticStream = 0x5359'4e54'4845'5431ull;  // "SYNTHET1"

// A 64-bit key from philox4x32(key, counter).
inline uint64_t derive_seed(uint64_t key, uint64_t counter) {
  const Philox4 r = philox4x32(key, counter);
  return (static_cast<uint64_t>(r.v[0]) << 32) | r.v[1];
}

// The key of sample `index`'s augmentation in `epoch`.
inline uint64_t sample_seed(uint64_t seed, int64_t epoch, int64_t index) {
  const uint64_t epoch_key =
      derive_seed(derive_seed(seed, kAugmentStream), static_cast<uint64_t>(epoch));
  return derive_seed(epoch_key, static_cast<uint64_t>(index));
}

}  // namespace camlab::datasets
