// Harnesses for the text a user types: a TOML config with its schema, one `--set key=value`
// override applied to a valid config, and the `--indices` list of `camlab explain`.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "experiments/config/config.h"
#include "experiments/explain/indices.h"
#include "fuzz/harness.h"

using namespace camlab;
using namespace camlab::fuzz;

namespace {

// A complete config (the shipped tiny-synthetic one), so that an override reaches every check
// after parsing. Read once; the harness is pointless if it does not load on its own.
const std::string& base_config() {
  static const std::string text = [] {
    std::ifstream in(std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml");
    std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    experiments::parse_config(whole, "tiny-synthetic.toml");  // an Error here escapes: a finding
    return whole;
  }();
  return text;
}

std::string as_text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace

extern "C" int camlab_fuzz_config(const uint8_t* data, size_t size) {
  const std::string text = as_text(data, size);
  std::optional<experiments::Config> config;
  expect_success_or_error([&] { config = experiments::parse_config(text, "fuzz.toml"); });
  if (!config) return 0;
  // A run directory stores the resolved config and --resume reads it back: an accepted config
  // must survive that round trip, so here even a camlab::Error is a finding (it escapes).
  const experiments::Config back = experiments::parse_config(config->to_toml(), "resolved.toml");
  if (!(back == *config)) std::abort();
  return 0;
}

extern "C" int camlab_fuzz_set(const uint8_t* data, size_t size) {
  const std::string text = as_text(data, size);
  expect_success_or_error(
      [&] { experiments::parse_config(base_config(), "tiny-synthetic.toml", {text}); });
  return 0;
}

extern "C" int camlab_fuzz_indices(const uint8_t* data, size_t size) {
  const std::string text = as_text(data, size);
  expect_success_or_error([&] { experiments::parse_indices(text, 1000); });
  return 0;
}
