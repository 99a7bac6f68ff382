#include "tensor/shape.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tensor/error.h"

namespace camlab {

int64_t numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) {
    // A corrupt header or a hostile config can ask for [2^32, 2^32]: the product must not wrap
    // into a small (or negative) count that a later allocation would then trust.
    CAMLAB_CHECK(!__builtin_mul_overflow(n, s, &n),
                 "shape {}: its sizes multiply past 2^63 - 1 elements; no tensor can hold it",
                 shape_str(shape));
  }
  return n;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t running = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = running;
    running *= std::max<int64_t>(shape[d], 1);
  }
  return strides;
}

std::string shape_str(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op) {
  size_t ndim = std::max(a.size(), b.size());
  Shape out(ndim);
  for (size_t i = 0; i < ndim; ++i) {
    int64_t sa = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t sb = i < b.size() ? b[b.size() - 1 - i] : 1;
    CAMLAB_CHECK(sa == sb || sa == 1 || sb == 1,
                 "{}: shapes {} and {} cannot broadcast (dim {} from the right: {} vs {}; sizes "
                 "must match or be 1)",
                 op, shape_str(a), shape_str(b), i, sa, sb);
    out[ndim - 1 - i] = sa == 1 ? sb : sa;
  }
  return out;
}

int64_t normalize_dim(int64_t dim, int64_t ndim, std::string_view op) {
  int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  CAMLAB_CHECK(dim >= lo && dim <= hi, "{}: dim {} out of range for a {}-d tensor (valid: {}..{})",
               op, dim, ndim, lo, hi);
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

}  // namespace camlab
