// [model] layers and [model.blocks]: each layer's type, its keys and their values.
#include <fmt/format.h>

#include "experiments/config/config_error.h"
#include "experiments/config/key_path.h"
#include "experiments/config/toml_text.h"
#include "experiments/config/validator.h"
#include "tensor/suggest.h"

namespace camlab::experiments {

void Validator::check_layers(const toml::node& node, const std::string& path) {
  if (!node.is_array()) type_error(*find_key("model.layers"), node, path);
  size_t index = 0;
  for (const toml::node& layer : *node.as_array()) check_layer(layer, item_path(path, index++));
}

void Validator::check_blocks(const toml::node& node, const std::string& path) {
  if (!node.is_table()) type_error(*find_key("model.blocks"), node, path);
  for (auto&& [name, layers] : *node.as_table()) check_layers(layers, child_path(path, name.str()));
}

void Validator::check_layer(const toml::node& node, const std::string& path) {
  const std::string location = where(path, node);
  const toml::table* layer = node.as_table();
  if (layer == nullptr) {
    config_fail(location, fmt::format("'{}' must be a layer table like {{type = \"relu\"}}, got {}",
                                      path, toml_value_text(node)));
  }
  const std::string valid_types = join_quoted(layer_type_names(), "");
  const toml::node* type_node = layer->get("type");
  if (type_node == nullptr) {
    config_fail(location, fmt::format("'{}' has no 'type' — one of {}", path, valid_types));
  }
  const std::string type_path = child_path(path, "type");
  if (!type_node->is_string()) {
    config_fail(where(type_path, *type_node),
                fmt::format("'{}' must be a layer type, one of {}, got {}", type_path, valid_types,
                            toml_value_text(*type_node)));
  }
  const std::string type = type_node->as_string()->get();
  const LayerType* spec = find_layer_type(type);
  if (spec == nullptr) {
    const std::string guess = nearest(type, layer_type_names());
    config_fail(where(type_path, *type_node),
                fmt::format("unknown layer type '{}' in '{}' — {}", type, path,
                            guess.empty() ? "valid types: " + valid_types
                                          : fmt::format("did you mean '{}'? Valid types: {}", guess,
                                                        valid_types)));
  }
  for (auto&& [key, value] : *layer) {
    const std::string key_path = child_path(path, key.str());
    const KeySpec* key_spec = find_layer_key(*spec, key.str());
    if (key_spec == nullptr) {
      const std::string guess = nearest(key.str(), layer_key_names(*spec));
      config_fail(where_key(key_path, key),
                  fmt::format("unknown key '{}' for a {} layer in '{}' — {}", key.str(), type, path,
                              guess.empty() ? fmt::format("{} layers take {}", type,
                                                          join_quoted(layer_key_names(*spec), ""))
                                            : fmt::format("did you mean '{}'?", guess)));
    }
    check_value(*key_spec, value, key_path);
  }
  for (const KeySpec& key : spec->keys) {
    if (key.default_toml.empty() && !layer->contains(key.path)) {
      config_fail(location, fmt::format("'{}' ({} layer) needs '{}', {}", path, type, key.path,
                                        expected_text(key)));
    }
  }
}

}  // namespace camlab::experiments
