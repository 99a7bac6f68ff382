#include "experiments/explain/indices.h"

#include <charconv>
#include <string_view>

#include "tensor/error.h"

namespace camlab::experiments {
namespace {

int64_t parse_int(std::string_view text, const std::string& whole) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  CAMLAB_CHECK(ec == std::errc() && end == text.data() + text.size() && value >= 0,
               "--indices '{}': '{}' is not a non-negative integer (forms: 0:16, 3,7,9, 5)", whole,
               text);
  return value;
}

void check_in_range(int64_t index, int64_t dataset_size, const std::string& whole) {
  CAMLAB_CHECK(index < dataset_size,
               "--indices '{}': index {} is out of range for a dataset of {} images (valid: 0..{})",
               whole, index, dataset_size, dataset_size - 1);
}

}  // namespace

std::vector<int64_t> parse_indices(const std::string& text, int64_t dataset_size) {
  std::vector<int64_t> out;
  if (auto colon = text.find(':'); colon != std::string::npos) {
    const int64_t begin = parse_int(std::string_view(text).substr(0, colon), text);
    const int64_t end = parse_int(std::string_view(text).substr(colon + 1), text);
    CAMLAB_CHECK(begin < end, "--indices '{}': the range is empty", text);
    // end is exclusive: the last index is end - 1. Checked before the loop, so "0:10^18" is an
    // error and not an attempt to fill 8 EB of vector.
    check_in_range(end - 1, dataset_size, text);
    for (int64_t i = begin; i < end; ++i) out.push_back(i);
    return out;
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(parse_int(std::string_view(text).substr(start, comma - start), text));
    check_in_range(out.back(), dataset_size, text);
    start = comma + 1;
  }
  return out;
}

}  // namespace camlab::experiments
