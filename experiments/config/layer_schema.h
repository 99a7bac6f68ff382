// The layer types of [model] layers and the keys each accepts, with defaults and ranges.
//
//   const LayerType* conv = find_layer_type("conv");
//   const KeySpec* k = find_layer_key(*conv, "kernel");   // Int, default "3", ≥ 1
//   layer_type_names();                                    // {"conv", "linear", "relu", ...}
//
// KeySpec::path holds the bare key ("kernel"); a key with an empty default is required.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "experiments/config/schema.h"

namespace camlab::experiments {

struct LayerType {
  std::string type;           // "conv"
  std::string doc;            // one line for --help
  std::vector<KeySpec> keys;  // every key, the common ones (type, name, repeat) included
};

const std::vector<LayerType>& layer_types();
const LayerType* find_layer_type(std::string_view type);
const KeySpec* find_layer_key(const LayerType& type, std::string_view key);
std::vector<std::string> layer_type_names();
std::vector<std::string> layer_key_names(const LayerType& type);

}  // namespace camlab::experiments
