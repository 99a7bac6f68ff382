// The schema as text for `camlab --help-config` and the docs: one line per key, then the layers.
//
//   fmt::print("{}", schema_help());
//   // train.optimizer.lr            float > 0               0.01        peak learning rate
//   // ...
//   // conv    2-D convolution: out (required), in = 0, kernel = 3, stride = 1, ...
#pragma once

#include <string>

#include "experiments/config/schema.h"

namespace camlab::experiments {

std::string schema_help();
// "int ≥ 1", "float in [0, 1)", "cpu|cuda|auto", "string array", ...
std::string short_type(const KeySpec& spec);

}  // namespace camlab::experiments
