// Branch-free float exp that the compiler vectorises (std::exp is a libm call per element, which
// kept exp and softmax near 1-2 GB/s). Double stays on std::exp: gradcheck wants it exact.
//
//   float y = cpu::exp_fast(x);                 // within 1 ulp of std::exp(x)
//   for (i...) out[i] = cpu::exp_fast(in[i]);   // a plain loop becomes AVX-512 code
//   double z = cpu::exp_fast(1.0);              // std::exp
//
// Infinities, NaN, overflow (x > ln FLT_MAX → +inf) and underflow (→ 0) match std::exp.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace camlab::cpu {

// exp(x) = 2^n · exp(r), n = round(x / ln 2), r = x − n·ln 2 ∈ [−ln2/2, ln2/2] (Cody–Waite: ln 2
// split in a high part exact in float and a low correction). exp(r) by its degree-7 Taylor
// polynomial: truncation ≤ r⁸/8! ≈ 5e-9, below float's half ulp. 2^n is applied as two factors
// 2^(n/2)·2^(n−n/2) so that results in the subnormal range (n < −126) still come out.
inline float exp_fast(float x) {
  constexpr float kHi = 88.72283935546875f;  // ln(FLT_MAX): above, exp overflows
  constexpr float kLo = -103.972084045410f;  // ln(smallest subnormal / 2): below, exp is 0
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;  // 8 significant bits: n·kLn2Hi is exact
  constexpr float kLn2Lo = -2.12194440e-4f;
  constexpr float kRound = 12582912.0f;  // 1.5·2²³: adding it rounds to the nearest integer
  float xc = x < kLo ? kLo : x;
  xc = xc > kHi ? kHi : xc;
  xc = x != x ? 0.0f : xc;  // keep the arithmetic defined for NaN; it is patched below
  const float fn = (xc * kLog2e + kRound) - kRound;
  float r = xc - fn * kLn2Hi;
  r = r - fn * kLn2Lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t n = static_cast<int32_t>(fn);  // in [−150, 128]
  const int32_t n1 = n / 2, n2 = n - n1;       // each in [−75, 64]: normal powers of two
  const float s1 = std::bit_cast<float>((n1 + 127) << 23);
  const float s2 = std::bit_cast<float>((n2 + 127) << 23);
  float y = p * s1 * s2;
  y = x > kHi ? std::numeric_limits<float>::infinity() : y;
  y = x < kLo ? 0.0f : y;
  return x != x ? x : y;
}

inline double exp_fast(double x) { return std::exp(x); }

}  // namespace camlab::cpu
