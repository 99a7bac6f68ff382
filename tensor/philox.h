// Philox-4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011), written once for host and device. A (seed, counter) pair maps to four 32-bit words.
//
//   float u = philox_uniform(seed, i);       // in [0, 1)
//   float z = philox_normal(seed, i);        // standard normal (Box–Muller)
#pragma once

#include <cmath>
#include <cstdint>

#include "tensor/hd.h"

namespace camlab {

#if !defined(__CUDACC__)
using std::cos;
using std::log;
using std::sqrt;
#endif

struct Philox4 {
  uint32_t v[4];
};

CAMLAB_HD uint32_t mulhi32(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32);
}

CAMLAB_HD Philox4 philox4x32(uint64_t seed, uint64_t counter) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32);
  uint32_t c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {  // constants from the paper, section 4
    uint32_t hi0 = mulhi32(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
    uint32_t hi1 = mulhi32(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

// 53 random bits -> a double in [0, 1).
CAMLAB_HD double philox_uniform(uint64_t seed, uint64_t counter) {
  Philox4 r = philox4x32(seed, counter);
  uint64_t bits = (static_cast<uint64_t>(r.v[0]) << 21) ^ r.v[1];
  return static_cast<double>(bits & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
}

// Box–Muller on two independent uniforms from the same counter.
CAMLAB_HD double philox_normal(uint64_t seed, uint64_t counter) {
  Philox4 r = philox4x32(seed, counter);
  double u1 = (static_cast<double>(r.v[0]) + 1.0) * (1.0 / 4294967297.0);  // (0, 1]
  double u2 = static_cast<double>(r.v[1]) * (1.0 / 4294967296.0);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

}  // namespace camlab
