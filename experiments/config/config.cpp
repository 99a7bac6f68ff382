#include "experiments/config/config.h"

#include <fmt/format.h>

#include "experiments/config/consistency.h"
#include "experiments/config/schema.h"

namespace camlab::experiments {
namespace {

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a bool";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}

template <typename T>
std::vector<T> array_values(const toml::node& node, std::string_view path, const char* what) {
  std::vector<T> values;
  for (const toml::node& item : *node.as_array()) {
    const std::optional<T> value = item.value<T>();
    CAMLAB_CHECK(value.has_value(), "Config: '{}' holds {}, not only {}", path, type_name(item),
                 what);
    values.push_back(*value);
  }
  return values;
}

}  // namespace

const toml::node& Config::node(std::string_view path, std::string_view accessor) const {
  const KeySpec* spec = find_key(path);
  CAMLAB_CHECK(spec != nullptr, "Config::{}: '{}' is not a config key{}", accessor, path,
               unknown_key_hint(path));
  // Schema paths contain no quoted keys, so toml++'s dotted-path lookup applies.
  const toml::node* found = root_.at_path(path).node();
  CAMLAB_CHECK(found != nullptr, "Config::{}: '{}' is not set (it has no default)", accessor, path);
  return *found;
}

int64_t Config::get_int(std::string_view path) const {
  const toml::node& n = node(path, "get_int");
  CAMLAB_CHECK(n.is_integer(), "Config::get_int: '{}' is {}", path, type_name(n));
  return n.as_integer()->get();
}

double Config::get_double(std::string_view path) const {
  const toml::node& n = node(path, "get_double");
  CAMLAB_CHECK(n.is_number(), "Config::get_double: '{}' is {}", path, type_name(n));
  return *n.value<double>();
}

bool Config::get_bool(std::string_view path) const {
  const toml::node& n = node(path, "get_bool");
  CAMLAB_CHECK(n.is_boolean(), "Config::get_bool: '{}' is {}", path, type_name(n));
  return n.as_boolean()->get();
}

std::string Config::get_string(std::string_view path) const {
  const toml::node& n = node(path, "get_string");
  CAMLAB_CHECK(n.is_string(), "Config::get_string: '{}' is {}", path, type_name(n));
  return n.as_string()->get();
}

std::vector<std::string> Config::get_strings(std::string_view path) const {
  const toml::node& n = node(path, "get_strings");
  CAMLAB_CHECK(n.is_array(), "Config::get_strings: '{}' is {}", path, type_name(n));
  return array_values<std::string>(n, path, "strings");
}

std::vector<int64_t> Config::get_ints(std::string_view path) const {
  const toml::node& n = node(path, "get_ints");
  CAMLAB_CHECK(n.is_array(), "Config::get_ints: '{}' is {}", path, type_name(n));
  return array_values<int64_t>(n, path, "integers");
}

std::vector<double> Config::get_doubles(std::string_view path) const {
  const toml::node& n = node(path, "get_doubles");
  CAMLAB_CHECK(n.is_array(), "Config::get_doubles: '{}' is {}", path, type_name(n));
  return array_values<double>(n, path, "numbers");
}

bool Config::holds_int(std::string_view path) const { return node(path, "holds_int").is_integer(); }

NormalizeSpec Config::normalize() const {
  const toml::node& n = node("data.normalize", "normalize");
  if (n.is_boolean()) return {.enabled = n.as_boolean()->get()};
  return {.enabled = true,
          .mean = get_doubles("data.normalize.mean"),
          .std = get_doubles("data.normalize.std")};
}

std::string Config::where(std::string_view path) const {
  const auto found = where_.find(std::string(path));
  return found == where_.end() ? source_ : found->second;
}

Config Config::from_resolved(toml::table root, std::string source, Locations where) {
  Config config;
  config.root_ = std::move(root);
  config.source_ = std::move(source);
  config.where_ = std::move(where);
  const toml::table& model = *config.root_["model"].as_table();
  if (const toml::array* layers = model["layers"].as_array()) {
    config.layers_ = read_layers(*layers, "model.layers", config.where_);
  }
  for (auto&& [name, layers] : *model["blocks"].as_table()) {
    const std::string path = fmt::format("model.blocks.{}", name.str());
    config.blocks_[std::string(name.str())] = read_layers(*layers.as_array(), path, config.where_);
  }
  check_consistency({.root = config.root_,
                     .layers = config.layers_,
                     .blocks = config.blocks_,
                     .where = config.where_,
                     .file = config.source_});
  return config;
}

}  // namespace camlab::experiments
