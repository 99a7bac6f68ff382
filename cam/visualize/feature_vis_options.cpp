// Recipes and the parsing of command-line words for feature_vis.h.
#include <charconv>
#include <string>

#include "cam/visualize/feature_vis.h"
#include "tensor/error.h"

namespace camlab::cam::visualize {
namespace {

// A non-negative integer filling all of `text`; an Error naming `spec` otherwise.
int64_t parse_index(std::string_view text, std::string_view spec) {
  int64_t value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  CAMLAB_CHECK(error == std::errc() && end == text.data() + text.size() && value >= 0,
               "visualize: '{}' in units '{}' is not a non-negative integer; write e.g. 0:16 "
               "(0..15), 3 or 0:4,7",
               text, spec);
  return value;
}

}  // namespace

std::string_view optimizer_name(AscentOptimizer optimizer) {
  return optimizer == AscentOptimizer::Sgd ? "sgd" : "adam";
}

AscentOptimizer parse_optimizer(std::string_view name) {
  if (name == "sgd") return AscentOptimizer::Sgd;
  if (name == "adam") return AscentOptimizer::Adam;
  fail("visualize: unknown optimizer '{}'; valid optimizers: sgd, adam", name);
}

Parametrization parse_parametrization(std::string_view name) {
  if (name == "pixel") return Parametrization::Pixel;
  if (name == "fourier") return Parametrization::Fourier;
  fail("visualize: unknown parametrization '{}'; valid parametrizations: pixel, fourier", name);
}

FeatureVisOptions recipe(std::string_view name) {
  FeatureVisOptions options;
  if (name == "chollet") {
    // DLwP §5.4.2: grey noise, 40 steps of the RMS-normalised gradient, nothing else.
    options.parametrization = Parametrization::Pixel;
    options.optimizer = AscentOptimizer::Sgd;
    options.steps = 40;
    return options;
  }
  if (name == "lucid") {
    // Lucid's render_vis defaults: Fourier parametrization, Adam(0.05), random jitter, scale
    // 0.9–1.1 and rotation ±10° every step (jitter scaled down for 28-px images), and a sigmoid
    // into the valid range: without it Adam on the 1/f spectrum grows pixels without bound.
    options.parametrization = Parametrization::Fourier;
    options.optimizer = AscentOptimizer::Adam;
    options.steps = 256;
    options.robustness = {.jitter = 2, .scale = 0.1, .rotate_degrees = 10};
    options.value_range = ValueRange{-2.0, 2.0};
    return options;
  }
  fail("visualize: unknown recipe '{}'; valid recipes: chollet, lucid", name);
}

std::vector<int64_t> parse_units(std::string_view spec) {
  std::vector<int64_t> units;
  std::string_view rest = spec;
  CAMLAB_CHECK(!spec.empty(), "visualize: empty unit list; write e.g. 0:16 (0..15), 3 or 0:4,7");
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view piece = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t colon = piece.find(':');
    if (colon == std::string_view::npos) {
      units.push_back(parse_index(piece, spec));
      continue;
    }
    const int64_t first = parse_index(piece.substr(0, colon), spec);
    const int64_t end = parse_index(piece.substr(colon + 1), spec);
    CAMLAB_CHECK(end > first,
                 "visualize: range '{}' in units '{}' is empty; the end is exclusive "
                 "(0:16 is 0..15)",
                 piece, spec);
    for (int64_t u = first; u < end; ++u) units.push_back(u);
  }
  return units;
}

}  // namespace camlab::cam::visualize
