#include "cam/metrics/spearman.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tensor/error.h"

namespace camlab::cam {

std::vector<double> ranks(std::span<const double> values) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> rank(n);
  for (size_t first = 0; first < n;) {
    size_t last = first + 1;  // [first, last) holds one tied value
    while (last < n && values[order[last]] == values[order[first]]) ++last;
    // Ranks first + 1 .. last averaged: (first + 1 + last) / 2.
    const double shared = 0.5 * static_cast<double>(first + 1 + last);
    for (size_t k = first; k < last; ++k) rank[order[k]] = shared;
    first = last;
  }
  return rank;
}

double pearson(std::span<const double> x, std::span<const double> y) {
  CAMLAB_CHECK(x.size() == y.size(),
               "pearson: the vectors have {} and {} elements; they must match", x.size(), y.size());
  CAMLAB_CHECK(x.size() >= 2, "pearson: needs at least 2 values, got {}", x.size());
  const auto n = static_cast<double>(x.size());
  const double mean_x = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double mean_y = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mean_x, dy = y[i] - mean_y;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0 || syy == 0) return std::equal(x.begin(), x.end(), y.begin()) ? 1.0 : 0.0;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::vector<double> flat_values(const Tensor& t) {
  const Tensor cpu = t.to(Device::cpu()).to(DType::Float64).contiguous();
  const double* v = cpu.data<double>();
  return {v, v + cpu.numel()};
}

double spearman(const Tensor& a, const Tensor& b) {
  CAMLAB_CHECK(a.numel() == b.numel(), "spearman: maps of {} and {} elements; they must match",
               a.numel(), b.numel());
  const std::vector<double> ra = ranks(flat_values(a));
  const std::vector<double> rb = ranks(flat_values(b));
  return pearson(ra, rb);
}

}  // namespace camlab::cam
