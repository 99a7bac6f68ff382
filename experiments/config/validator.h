// Checks a parsed experiment TOML against the schema, key by key, and stops at the first problem
// with a ConfigError that points at it (file:line:column, or the --set that put it there).
//
//   Origins origins{.file = "fmnist.toml"};
//   origins.overrides.push_back({"train.epochs", "--set train.epochs=3"});
//   Locations where;
//   Validator(origins, where).check_root(root);
//   // where["train.epochs"] == "--set train.epochs=3"
//
// Values are checked as written; defaults are filled afterwards (resolve.h).
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "experiments/config/layer_schema.h"
#include "experiments/config/schema.h"

namespace camlab::experiments {

// Dotted value path -> where its value came from ("fmnist.toml:8:14", "--set data.batch_size=8").
using Locations = std::map<std::string, std::string>;

struct Origins {
  std::string file;  // the config file as the user named it
  std::vector<std::pair<std::string, std::string>> overrides;  // path -> "--set ...", in order

  // Where the value at `path` came from: the last override covering it, else its source region.
  std::string where(std::string_view path, const toml::source_region& region) const;
};

class Validator {
 public:
  Validator(const Origins& origins, Locations& locations)
      : origins_(origins), locations_(locations) {}

  void check_root(const toml::table& root);

 private:
  void check_table(const toml::table& table, const std::string& prefix);
  void check_value(const KeySpec& spec, const toml::node& node, const std::string& path);
  void check_scalar(const KeySpec& spec, const toml::node& node, const std::string& path);
  void check_array(const KeySpec& spec, const toml::node& node, const std::string& path);
  void check_sweep(const toml::table& table, const std::string& path);
  void check_sweep_entry(const toml::key& key, const std::string& full, const toml::node& node);
  // validate_layers.cpp
  void check_layers(const toml::node& node, const std::string& path);
  void check_layer(const toml::node& node, const std::string& path);
  void check_blocks(const toml::node& node, const std::string& path);

  [[noreturn]] void type_error(const KeySpec& spec, const toml::node& node,
                               const std::string& path);
  std::string where(const std::string& path, const toml::node& node);
  std::string where_key(const std::string& path, const toml::key& key);

  const Origins& origins_;
  Locations& locations_;
};

}  // namespace camlab::experiments
