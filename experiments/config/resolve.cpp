#include "experiments/config/resolve.h"

#include <string>

#include "experiments/config/key_path.h"
#include "experiments/config/layer_schema.h"
#include "experiments/config/schema.h"

namespace camlab::experiments {
namespace {

toml::table* table_at(toml::table& root, std::string_view path) {
  toml::table* table = &root;
  size_t start = 0;
  while (table != nullptr && start <= path.size() && !path.empty()) {
    const size_t dot = path.find('.', start);
    const std::string key(path.substr(start, dot - start));
    toml::node* next = table->get(key);
    table = next == nullptr ? nullptr : next->as_table();
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return table;
}

// Integers written into float keys (lr = 1) become floats, so that to_toml() writes 1.0 and the
// loaded value has one type whichever way it was spelled.
void canonicalize_number(toml::table& parent, const std::string& key, Kind kind) {
  toml::node* node = parent.get(key);
  if (node == nullptr) return;
  if (kind == Kind::Float && node->is_integer()) {
    parent.insert_or_assign(key, static_cast<double>(node->as_integer()->get()));
  } else if (kind == Kind::FloatArray && node->is_array()) {
    toml::array& array = *node->as_array();
    for (size_t i = 0; i < array.size(); ++i) {
      if (const auto* integer = array.get(i)->as_integer()) {
        array.replace(array.cbegin() + static_cast<std::ptrdiff_t>(i),
                      static_cast<double>(integer->get()));
      }
    }
  }
}

void fill_key(toml::table& parent, const KeySpec& spec, const std::string& key) {
  if (!parent.contains(key)) {
    const bool is_table =
        spec.kind == Kind::Table || spec.kind == Kind::BlockTable || spec.kind == Kind::SweepTable;
    if (is_table) {
      parent.insert(key, toml::table{});
    } else if (!spec.default_toml.empty()) {
      parent.insert(key, *parse_default(spec.default_toml).get("v"));
    }
  }
  canonicalize_number(parent, key, spec.kind);
}

void resolve_layer(toml::table& layer) {
  const LayerType* type = find_layer_type(layer["type"].value_or(std::string()));
  if (type == nullptr) return;
  for (const KeySpec& key : type->keys) fill_key(layer, key, key.path);
  const bool is_pool = type->type == "maxpool" || type->type == "avgpool";
  if (is_pool && layer["stride"].value_or(int64_t{0}) == 0) {
    layer.insert_or_assign("stride", layer["kernel"].value_or(int64_t{1}));
  }
}

void resolve_layer_list(toml::node* list) {
  if (list == nullptr || !list->is_array()) return;
  for (toml::node& layer : *list->as_array()) {
    if (auto* table = layer.as_table()) resolve_layer(*table);
  }
}

// [sweep] train.optimizer.lr = [...] (nested tables) -> "train.optimizer.lr" = [...].
void flatten_sweep(toml::table& sweep, toml::table& flat, const std::string& prefix) {
  for (auto&& [key, node] : sweep) {
    const std::string full = child_path(prefix, key.str());
    if (node.is_table()) {
      flatten_sweep(*node.as_table(), flat, full);
    } else {
      flat.insert_or_assign(full, std::move(node));
    }
  }
}

}  // namespace

toml::table parse_default(std::string_view default_toml) {
  if (default_toml.empty()) return {};
  return toml::parse("v = " + std::string(default_toml));
}

void resolve_defaults(toml::table& root) {
  for (const KeySpec& spec : schema()) {
    toml::table* parent = table_at(root, parent_path(spec.path));
    if (parent != nullptr) fill_key(*parent, spec, leaf_key(spec.path));
  }
  toml::table& model = *root["model"].as_table();
  resolve_layer_list(model.get("layers"));
  for (auto&& [name, layers] : *model["blocks"].as_table()) resolve_layer_list(&layers);
  toml::table flat;
  flatten_sweep(*root["sweep"].as_table(), flat, "");
  root.insert_or_assign("sweep", std::move(flat));
}

}  // namespace camlab::experiments
