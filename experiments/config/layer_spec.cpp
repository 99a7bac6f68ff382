#include "experiments/config/layer_spec.h"

#include <map>

#include "experiments/config/key_path.h"

namespace camlab::experiments {
namespace {

LayerSpec read_layer(const toml::table& table, const std::string& path,
                     const Locations& locations) {
  LayerSpec layer;
  const auto text = [&](const char* key, std::string& field) {
    field = table[key].value_or(field);
  };
  const auto integer = [&](const char* key, int64_t& field) { field = table[key].value_or(field); };
  const auto number = [&](const char* key, double& field) { field = table[key].value_or(field); };
  text("type", layer.type);
  text("name", layer.name);
  integer("repeat", layer.repeat);
  if (const toml::array* inputs = table["inputs"].as_array()) {
    for (const toml::node& input : *inputs) layer.inputs.push_back(input.value_or(std::string()));
  }
  integer("mid", layer.mid);
  integer("out", layer.out);
  integer("in", layer.in);
  integer("kernel", layer.kernel);
  integer("stride", layer.stride);
  integer("pad", layer.pad);
  integer("dilation", layer.dilation);
  integer("groups", layer.groups);
  layer.bias = table["bias"].value_or(layer.bias);
  layer.batchnorm = table["batchnorm"].value_or(layer.batchnorm);
  number("p", layer.p);
  number("slope", layer.slope);
  number("alpha", layer.alpha);
  number("scale", layer.scale);
  text("mode", layer.mode);
  number("eps", layer.eps);
  number("momentum", layer.momentum);
  text("block", layer.block);
  const auto found = locations.find(path);
  layer.where = found == locations.end() ? "" : found->second;
  layer.line = layer.where.starts_with("--set") ? 0 : static_cast<int>(table.source().begin.line);
  layer.path = path;
  return layer;
}

}  // namespace

bool is_merge(std::string_view type) { return type == "add" || type == "concat" || type == "mul"; }

std::vector<LayerSpec> read_layers(const toml::array& layers, const std::string& path,
                                   const Locations& locations) {
  std::vector<LayerSpec> specs;
  for (size_t i = 0; i < layers.size(); ++i) {
    specs.push_back(read_layer(*layers.get(i)->as_table(), item_path(path, i), locations));
  }
  return specs;
}

std::vector<std::string> layer_names(const std::vector<LayerSpec>& layers) {
  std::vector<std::string> names;
  std::map<std::string, int> counts;
  for (const LayerSpec& layer : layers) {
    for (int64_t r = 0; r < layer.repeat; ++r) {
      if (layer.name.empty()) {
        const std::string& stem = layer.type == "block" ? layer.block : layer.type;
        names.push_back(stem + std::to_string(++counts[stem]));
      } else {
        names.push_back(layer.repeat > 1 ? layer.name + std::to_string(r + 1) : layer.name);
      }
    }
  }
  return names;
}

}  // namespace camlab::experiments
