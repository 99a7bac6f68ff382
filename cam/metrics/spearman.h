// Rank correlation of two maps, the similarity the sanity checks of Adebayo et al. 2018 report
// first: Spearman's ρ is Pearson's r of the ranks, ties given their average rank (as
// scipy.stats.spearmanr).
//
//   double rho = spearman(map_a, map_b);               // maps: any shape, same element count
//   double rho_abs = spearman(ops::abs(a), ops::abs(b)); // "with absolute values"
//   std::vector<double> r = ranks({3, 1, 3});          // {2.5, 1, 2.5}
//   double r_xy = pearson(x, y);                       // on plain vectors (HOG descriptors)
#pragma once

#include <span>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::cam {

// 1-based ranks; tied values share the mean of the ranks they span.
std::vector<double> ranks(std::span<const double> values);

// r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² · Σ(y − ȳ)²). A vector without variance carries no order, so
// r is 1 when both vectors are equal and 0 otherwise (where scipy returns NaN, which an average
// over images could not hold). Sizes must match and be at least 2.
double pearson(std::span<const double> x, std::span<const double> y);

// Spearman's ρ of the flattened tensors (any dtype, any device; same number of elements).
double spearman(const Tensor& a, const Tensor& b);

// The tensor's elements as doubles in row-major order.
std::vector<double> flat_values(const Tensor& t);

}  // namespace camlab::cam
