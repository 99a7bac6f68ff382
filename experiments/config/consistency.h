// Checks that need several keys at once, run on the resolved config (defaults filled):
// nesterov needs momentum, multistep needs increasing milestones, block references exist and do
// not recurse, layer names are unique, model.cam_layer and explain.layer name a layer, ...
//
//   check_consistency({.root = root, .layers = layers, .blocks = blocks, .where = where,
//                      .file = "fmnist.toml"});   // throws ConfigError at the offending key
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>
#include <vector>

#include "experiments/config/layer_spec.h"
#include "experiments/config/validator.h"

namespace camlab::experiments {

struct ResolvedParts {
  const toml::table& root;
  const std::vector<LayerSpec>& layers;
  const std::map<std::string, std::vector<LayerSpec>>& blocks;
  const Locations& where;
  const std::string& file;
};

void check_consistency(const ResolvedParts& config);

}  // namespace camlab::experiments
