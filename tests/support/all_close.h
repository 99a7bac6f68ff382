// GoogleTest assertion comparing computed values with a fixture's reference array.
//
//   camlab::test::Fixture f("softmax.h5");
//   Array want = f.array("softmax_2d_dim1/y");
//   std::vector<double> got = my_softmax(...);
//   EXPECT_TRUE(camlab::test::all_close(got, want));            // rtol 1e-5, atol 1e-6
//
// Passes when |got - want| <= atol + rtol * |want| everywhere (numpy.allclose's rule). On
// failure it names the first differing element (flat and multi-dimensional index), both values,
// how many elements differ and the largest absolute difference.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/fixture.h"

namespace camlab::test {

// "[4, 3, 5]"
inline std::string format_dims(const std::vector<int64_t>& dims) {
  std::ostringstream out;
  out << "[";
  for (size_t d = 0; d < dims.size(); ++d) out << (d ? ", " : "") << dims[d];
  out << "]";
  return out.str();
}

// The multi-dimensional index of flat index `flat` in a row-major array of `shape`.
inline std::vector<int64_t> unravel(size_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> index(shape.size(), 0);
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] <= 0) continue;
    index[d] = static_cast<int64_t>(flat % static_cast<size_t>(shape[d]));
    flat /= static_cast<size_t>(shape[d]);
  }
  return index;
}

inline ::testing::AssertionResult all_close(const std::vector<double>& got, const Array& want,
                                            double rtol = 1e-5, double atol = 1e-6) {
  if (got.size() != want.values.size()) {
    return ::testing::AssertionFailure()
           << "size mismatch: got " << got.size() << " values, want " << want.values.size()
           << " (reference shape " << format_dims(want.shape) << ")";
  }
  size_t first = got.size(), bad = 0;
  double max_diff = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want.values[i];
    const double diff = std::abs(g - w);
    const bool same = (std::isnan(g) && std::isnan(w)) || diff <= atol + rtol * std::abs(w);
    if (!std::isnan(diff)) max_diff = std::max(max_diff, diff);
    if (!same) {
      ++bad;
      if (first == got.size()) first = i;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  std::ostringstream out;
  out.precision(17);
  out << bad << " of " << got.size() << " values differ (rtol " << rtol << ", atol " << atol
      << "); first at flat index " << first << " " << format_dims(unravel(first, want.shape))
      << ": got " << got[first] << ", want " << want.values[first] << "; max abs difference "
      << max_diff;
  return ::testing::AssertionFailure() << out.str();
}

// Kernels compute in float32; widening to double is exact.
inline ::testing::AssertionResult all_close(const std::vector<float>& got, const Array& want,
                                            double rtol = 1e-5, double atol = 1e-6) {
  return all_close(std::vector<double>(got.begin(), got.end()), want, rtol, atol);
}

}  // namespace camlab::test
