// Size2: a (height, width) pair written as one number when both are equal, as PyTorch's int or
// tuple arguments.
//
//   Conv2dOptions{.stride = 2, .padding = {1, 0}}
//   std::array<int64_t, 2> k = Size2(3).array();    // {3, 3}
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>

namespace camlab::nn {

struct Size2 {
  int64_t h = 0;
  int64_t w = 0;

  Size2() = default;
  Size2(int64_t both) : h(both), w(both) {}  // NOLINT: implicit, like PyTorch's int arguments
  Size2(int64_t height, int64_t width) : h(height), w(width) {}

  std::array<int64_t, 2> array() const { return {h, w}; }
  bool operator==(const Size2&) const = default;
  // "(3, 3)" as PyTorch prints tuples.
  std::string str() const { return fmt::format("({}, {})", h, w); }
};

}  // namespace camlab::nn
