// camlab::Error — the one exception type every module throws.
//
//   CAMLAB_CHECK(a.dim() == 4, "conv2d: input must be [N, C, H, W], got {}", shape_str(a.shape()));
//   try { ... } catch (const camlab::Error& e) { fmt::print(stderr, "{}\n", e.what()); }
//
// Messages are one line that names the op, the shapes and what would be valid.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace camlab {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace camlab

// Throws camlab::Error with a formatted message when the condition is false.
#define CAMLAB_CHECK(condition, ...) \
  do {                               \
    if (!(condition)) {              \
      ::camlab::fail(__VA_ARGS__);   \
    }                                \
  } while (false)
