// parse_transform: the config spelling of transforms ("random_crop:2", "hflip", ...).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "datasets/transform.h"
#include "tensor/error.h"
#include "tensor/strings.h"

namespace camlab::datasets {
namespace {

constexpr const char* kValid =
    "valid: random_crop:PADDING, hflip[:P], random_affine[:DEGREES,TRANSLATE,SCALE], "
    "normalize[:MEAN:STD]";

double to_number(const std::string& text, std::string_view spec) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  CAMLAB_CHECK(error == std::errc() && end == text.data() + text.size() && !text.empty(),
               "augment '{}': '{}' is not a number; {}", spec, text, kValid);
  return value;
}

std::vector<double> to_numbers(const std::string& text, std::string_view spec) {
  std::vector<double> values;
  for (const std::string& part : split(text, ',')) values.push_back(to_number(part, spec));
  return values;
}

// Levenshtein distance, for "did you mean".
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::shared_ptr<Transform> parse_transform(std::string_view spec) {
  const std::vector<std::string> parts = split(spec, ':');
  const std::string& name = parts[0];
  const size_t args = parts.size() - 1;
  auto expect_args = [&](size_t low, size_t high) {
    CAMLAB_CHECK(args >= low && args <= high, "augment '{}': {} takes {} to {} ':' arguments; {}",
                 spec, name, low, high, kValid);
  };
  if (name == "random_crop" || name == "crop") {
    expect_args(1, 1);
    const double padding = to_number(parts[1], spec);
    CAMLAB_CHECK(padding >= 0 && padding == std::floor(padding),
                 "augment '{}': padding must be a whole number >= 0, e.g. random_crop:2", spec);
    return random_crop(static_cast<int64_t>(padding));
  }
  if (name == "hflip" || name == "horizontal_flip") {
    expect_args(0, 1);
    return horizontal_flip(args ? to_number(parts[1], spec) : 0.5);
  }
  if (name == "random_affine" || name == "affine") {
    expect_args(0, 1);
    if (!args) return random_affine();
    const std::vector<double> v = to_numbers(parts[1], spec);
    CAMLAB_CHECK(v.size() == 3,
                 "augment '{}': random_affine takes DEGREES,TRANSLATE,SCALE, e.g. "
                 "random_affine:10,0.1,0.1",
                 spec);
    return random_affine(v[0], v[1], v[2]);
  }
  if (name == "normalize") {
    CAMLAB_CHECK(args == 0 || args == 2,
                 "augment '{}': normalize takes no arguments (dataset statistics) or MEAN:STD, "
                 "e.g. normalize:0.5:0.25 or normalize:0.49,0.48,0.45:0.25,0.24,0.26",
                 spec);
    if (!args) return normalize();
    return normalize(to_numbers(parts[1], spec), to_numbers(parts[2], spec));
  }
  std::string nearest;
  size_t best = 4;  // suggest only names a few typos away
  for (const char* known : {"random_crop", "crop", "hflip", "horizontal_flip", "random_affine",
                            "affine", "normalize"}) {
    const size_t d = edit_distance(name, known);
    if (d < best) best = d, nearest = known;
  }
  fail("augment '{}': unknown transform '{}'{}; {}", spec, name,
       nearest.empty() ? "" : fmt::format(" (did you mean '{}'?)", nearest), kValid);
}

}  // namespace camlab::datasets
