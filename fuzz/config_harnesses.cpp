// Harnesses for the text a user types: a TOML config with its schema, one `--set key=value`
// override applied to a valid config, and the `--indices` list of `camlab explain`.
#include <cstdlib>
#include <optional>
#include <string>

#include "experiments/config/config.h"
#include "experiments/explain/indices.h"
#include "fuzz/harness.h"

using namespace camlab;
using namespace camlab::fuzz;

namespace {

// A complete config (tiny-synthetic's), so that an override reaches every check after parsing.
constexpr const char* kBaseConfig = R"(
[experiment]
name = "fuzz"
[data]
dataset = "synthetic-shapes"
image_size = 16
train_count = 64
test_count = 16
batch_size = 8
[model]
layers = [
  { type = "conv", out = 8, kernel = 3, pad = 1, name = "conv1" },
  { type = "relu" },
  { type = "gap" },
  { type = "linear", out = 4, name = "fc" },
]
cam_layer = "relu1"
[train]
epochs = 1
optimizer = { type = "adam", lr = 0.01 }
)";

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
  // The base must load on its own (an Error escapes otherwise), or every override would fail
  // before reaching the checks worth fuzzing.
  static const bool base_loads = (experiments::parse_config(kBaseConfig, "base.toml"), true);
  (void)base_loads;
  const std::string text = as_text(data, size);
  expect_success_or_error([&] { experiments::parse_config(kBaseConfig, "base.toml", {text}); });
  return 0;
}

extern "C" int camlab_fuzz_indices(const uint8_t* data, size_t size) {
  const std::string text = as_text(data, size);
  expect_success_or_error([&] { experiments::parse_indices(text, 1000); });
  return 0;
}
