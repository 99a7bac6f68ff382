// Shapes, strides (in elements) and NumPy broadcasting.
//
//   Shape s{64, 32, 28, 28};
//   Shape st = contiguous_strides(s);                 // {25088, 784, 28, 1}
//   Shape b = broadcast_shapes({4, 1, 3}, {5, 1}, "add"); // {4, 5, 3}
//   int64_t d = normalize_dim(-1, 4, "softmax");         // 3
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace camlab {

using Shape = std::vector<int64_t>;

int64_t numel(const Shape& shape);  // an Error naming the shape when it overflows int64
Shape contiguous_strides(const Shape& shape);
std::string shape_str(const Shape& shape);  // "[64, 32, 28, 28]"

// The broadcast of two shapes, aligned from the right; an Error naming op and both shapes when
// a pair of sizes is neither equal nor 1.
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op);

// Maps a possibly negative dim into [0, ndim); an Error naming op when out of range.
int64_t normalize_dim(int64_t dim, int64_t ndim, std::string_view op);

}  // namespace camlab
