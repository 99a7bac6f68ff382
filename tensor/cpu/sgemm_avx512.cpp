// AVX-512 GEMM tiles (tensor/cpu/sgemm_avx512.h). The loops over tile rows and columns have
// constant trip counts and are fully unrolled, so every accumulator lives in its own zmm register.
#include "tensor/cpu/sgemm_avx512.h"

#if defined(__AVX512F__)

#include <immintrin.h>

namespace camlab::cpu::avx512 {

void gemm_tile_8x48(int64_t depth, const float* a, const float* b, const int64_t* rows, float* c,
                    int64_t ldc, bool accumulate) {
  constexpr int R = kTile8x48Rows, V = kTile8x48Cols / 16;
  __m512 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      acc[r][v] = accumulate ? _mm512_loadu_ps(c + r * ldc + 16 * v) : _mm512_setzero_ps();
    }
  }
  // Per k: 3 loads of B, 8 broadcasts of A, 24 FMAs — FMA-bound (12 cycles on two FMA ports,
  // 11 loads on two load ports).
  for (int64_t k = 0; k < depth; ++k, a += R) {
    const float* bk = b + rows[k];
    __m512 bv[V];
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) bv[v] = _mm512_loadu_ps(bk + 16 * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r]);
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
  }
}

void gemm_tile_12x32(int64_t n, const float* const* a, const float* b, float* c, int64_t ldc) {
  constexpr int MR = kTile12x32Rows;
  const float* pa[MR];
  for (int r = 0; r < MR; ++r) pa[r] = a[r];
  __m512 acc[MR][2];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  // Per p: 2 loads of B, 12 broadcasts of A, 24 FMAs. The 12 A rows take 12 of the 15 usable
  // general registers (a row pointer each, all indexed by p); more rows would spill them.
  for (int64_t p = 0; p < n; ++p, b += kTile12x32Cols) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512 ar = _mm512_set1_ps(pa[r][p]);
      acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    _mm512_storeu_ps(c + r * ldc, _mm512_add_ps(_mm512_loadu_ps(c + r * ldc), acc[r][0]));
    _mm512_storeu_ps(c + r * ldc + 16, _mm512_add_ps(_mm512_loadu_ps(c + r * ldc + 16), acc[r][1]));
  }
}

}  // namespace camlab::cpu::avx512

#endif  // __AVX512F__
