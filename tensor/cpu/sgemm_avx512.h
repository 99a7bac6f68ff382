// Register-blocked AVX-512 float32 GEMM tiles, the inner loops of the implicit-GEMM convolution
// (tensor/cpu/conv2d_avx512.h). Built only where the compiler targets AVX-512 (__AVX512F__).
//
//   // c[8, 48] = Σ_k a[k][0..8) ⊗ b[rows[k] .. rows[k] + 48)     (a packed [depth, 8])
//   gemm_tile_8x48(depth, a, b, rows, c, ldc, /*accumulate=*/false);
//   // c[12, 32] += Σ_p a_rows[0..12)[p] ⊗ b[p][0..32)                (b packed [n, 32])
//   gemm_tile_12x32(n, a_rows, b, c, ldc);
//
// Both tiles keep 24 zmm accumulators in registers (of 32): enough independent FMA chains to
// cover the FMA latency (4 cycles) on both FMA ports, with registers left for the operands.
// Neither packs the convolution's input: the first tile reads its B rows through offsets, the
// second its A rows through pointers, which lets a convolution read its zero-padded input in
// place instead of unrolling it (im2col). Only the small operands are packed: the filters for
// the first, the output gradient (transposed, [P, 32]) for the second.
#pragma once

#include <cstdint>

#if defined(__AVX512F__)

namespace camlab::cpu::avx512 {

// Rows and columns of gemm_tile_8x48's output tile.
inline constexpr int64_t kTile8x48Rows = 8;
inline constexpr int64_t kTile8x48Cols = 48;

// c[r][j] (+)= Σ_{k < depth} a[k·8 + r] · b[rows[k] + j]   for r < 8, j < 48.
// a: [depth, 8] (packed, broadcast one float at a time); B row k starts at b + rows[k] and must
// hold 48 readable floats; c: [8, ldc]. accumulate = false overwrites c.
void gemm_tile_8x48(int64_t depth, const float* a, const float* b, const int64_t* rows, float* c,
                    int64_t ldc, bool accumulate);

// Rows and columns of gemm_tile_12x32's output tile.
inline constexpr int64_t kTile12x32Rows = 12;
inline constexpr int64_t kTile12x32Cols = 32;

// c[r][j] += Σ_{p < n} a[r][p] · b[p·32 + j]   for r < 12, j < 32.
// a: 12 row pointers (broadcast one float at a time, so any alignment); b: [n, 32], 64-byte
// aligned (packed); c: [12, ldc].
void gemm_tile_12x32(int64_t n, const float* const* a, const float* b, float* c, int64_t ldc);

}  // namespace camlab::cpu::avx512

#endif  // __AVX512F__
