// The one strided loop behind every CPU elementwise kernel.
//
//   // out[i] = a[i] + b[i] over any strides (broadcast inputs have stride 0):
//   for_each_row<3>(out.shape(), {&out.strides(), &a.strides(), &b.strides()},
//                   [&](const std::array<int64_t, 3>& base, const std::array<int64_t, 3>& step,
//                       int64_t n) { for (int64_t i = 0; i < n; ++i) ... });
//
// Dims are first collapsed wherever every operand is contiguous across them, so a contiguous
// tensor becomes a single row. Rows (or chunks of one long row) are spread over OpenMP threads.
#pragma once

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "tensor/shape.h"

namespace camlab::cpu {

// Below this many elements one thread is faster than waking the team.
inline constexpr int64_t kParallelGrain = 32768;

template <size_t K>
struct CollapsedLayout {
  Shape shape;
  std::array<Shape, K> strides;
};

template <size_t K>
CollapsedLayout<K> collapse_dims(const Shape& shape, const std::array<const Shape*, K>& strides) {
  CollapsedLayout<K> out;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // size-1 dims carry no stride information
    bool merges = !out.shape.empty();
    for (size_t k = 0; k < K && merges; ++k) {
      merges = out.strides[k].back() == (*strides[k])[d] * shape[d];
    }
    if (merges) {
      out.shape.back() *= shape[d];
      for (size_t k = 0; k < K; ++k) out.strides[k].back() = (*strides[k])[d];
    } else {
      out.shape.push_back(shape[d]);
      for (size_t k = 0; k < K; ++k) out.strides[k].push_back((*strides[k])[d]);
    }
  }
  if (out.shape.empty()) {  // a scalar or all-ones shape: one element
    out.shape.push_back(1);
    for (size_t k = 0; k < K; ++k) out.strides[k].push_back(0);
  }
  return out;
}

// Calls row(base_offsets, inner_strides, n) for runs of n elements along the innermost dim.
template <size_t K, typename RowFn>
void for_each_row(const Shape& shape, const std::array<const Shape*, K>& strides, RowFn&& row) {
  if (numel(shape) == 0) return;
  CollapsedLayout<K> layout = collapse_dims<K>(shape, strides);
  const int64_t ndim = static_cast<int64_t>(layout.shape.size());
  const int64_t inner = layout.shape.back();
  std::array<int64_t, K> step;
  for (size_t k = 0; k < K; ++k) step[k] = layout.strides[k].back();

  if (ndim == 1) {  // one long row: split it into chunks
    int64_t chunks = inner >= 2 * kParallelGrain ? omp_get_max_threads() * 4 : 1;
    int64_t chunk = (inner + chunks - 1) / chunks;
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t begin = c * chunk, n = std::min(chunk, inner - begin);
      if (n <= 0) continue;
      std::array<int64_t, K> base;
      for (size_t k = 0; k < K; ++k) base[k] = begin * step[k];
      row(base, step, n);
    }
    return;
  }

  const int64_t rows = numel(layout.shape) / inner;
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    std::array<int64_t, K> base{};
    int64_t rest = r;
    for (int64_t d = ndim - 2; d >= 0; --d) {
      int64_t i = rest % layout.shape[d];
      rest /= layout.shape[d];
      for (size_t k = 0; k < K; ++k) base[k] += i * layout.strides[k][d];
    }
    row(base, step, inner);
  }
}

}  // namespace camlab::cpu
