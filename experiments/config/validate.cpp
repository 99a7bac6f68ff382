// The schema walk: sections, keys, scalar and array values, [sweep]. Layers: validate_layers.cpp.
#include <fmt/format.h>

#include <algorithm>

#include "experiments/config/config_error.h"
#include "experiments/config/key_path.h"
#include "experiments/config/toml_text.h"
#include "experiments/config/validator.h"
#include "tensor/suggest.h"

namespace camlab::experiments {
namespace {

bool covers(std::string_view override_path, std::string_view path) {
  if (!path.starts_with(override_path)) return false;
  if (path.size() == override_path.size()) return true;
  const char next = path[override_path.size()];
  return next == '.' || next == '[';
}

// "random_crop:2" is checked as "random_crop" where the key allows arguments after ':'.
std::string allowed_token(const KeySpec& spec, const std::string& text) {
  return spec.allowed_before_colon ? text.substr(0, text.find(':')) : text;
}

bool is_allowed(const KeySpec& spec, const std::string& text) {
  if (spec.allowed.empty()) return true;
  const std::string token = allowed_token(spec, text);
  for (const std::string& allowed : spec.allowed) {
    if (allowed == token) return true;
  }
  return false;
}

Kind element_kind(Kind array_kind) {
  switch (array_kind) {
    case Kind::IntArray: return Kind::Int;
    case Kind::FloatArray: return Kind::Float;
    default: return Kind::String;
  }
}

bool in_range(const KeySpec& spec, const toml::node& node) {
  // Integers read as int64 first: toml++ gives no double for one it cannot hold exactly (2^63 - 1),
  // and the fallback 0 made "batch_size = 9223372036854775807" fail "must be ≥ 1".
  if (const auto* integer = node.as_integer())
    return spec.range.contains(static_cast<double>(**integer));
  return spec.range.contains(node.value<double>().value_or(0.0));
}

bool is_sweepable(const KeySpec& spec) {
  return spec.kind != Kind::Table && spec.kind != Kind::SweepTable &&
         spec.kind != Kind::BlockTable && !spec.path.starts_with("sweep");
}

bool is_layer_value_path(const std::vector<PathPart>& parts) {
  return parts.size() >= 3 && parts[0].key == "model" &&
         ((parts[1].key == "layers" && parts[2].is_index()) || parts[1].key == "blocks");
}

// Words people write for an allowed value that edit distance would not find (gpu is one edit from
// cpu, but means cuda).
std::string alias_of(const std::string& word, const std::vector<std::string>& allowed) {
  static const std::vector<std::pair<std::string, std::string>> aliases = {
      {"gpu", "cuda"},
      {"ce", "cross_entropy"},
      {"crossentropy", "cross_entropy"},
      {"bce_with_logits", "bce"},
      {"grad-cam", "gradcam"},
      {"grad-cam++", "gradcam++"},
      {"score-cam", "scorecam"},
      {"cos", "cosine"}};
  for (const auto& [alias, meant] : aliases) {
    if (alias == word && std::find(allowed.begin(), allowed.end(), meant) != allowed.end()) {
      return meant;
    }
  }
  return nearest(word, allowed);
}

}  // namespace

std::string Origins::where(std::string_view path, const toml::source_region& region) const {
  for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
    if (covers(it->first, path)) return it->second;
  }
  const std::string text = source_text(file, region);
  return text.empty() ? file : text;
}

std::string Validator::where(const std::string& path, const toml::node& node) {
  std::string text = origins_.where(path, node.source());
  locations_[path] = text;
  return text;
}

std::string Validator::where_key(const std::string& path, const toml::key& key) {
  return origins_.where(path, key.source());
}

void Validator::type_error(const KeySpec& spec, const toml::node& node, const std::string& path) {
  std::string message =
      fmt::format("'{}' must be {}, got {}", path, expected_text(spec), toml_value_text(node));
  if (node.is_string() && !spec.allowed.empty()) {
    const std::string guess = alias_of(allowed_token(spec, node.as_string()->get()), spec.allowed);
    if (!guess.empty()) message += fmt::format(" — did you mean \"{}\"?", guess);
  }
  config_fail(where(path, node), message);
}

void Validator::check_root(const toml::table& root) { check_table(root, ""); }

void Validator::check_table(const toml::table& table, const std::string& prefix) {
  for (auto&& [key, node] : table) {
    const std::string path = child_path(prefix, key.str());
    const KeySpec* spec = find_key(path);
    if (spec == nullptr) {
      config_fail(where_key(path, key),
                  fmt::format("unknown key '{}'{}", path, unknown_key_hint(path)));
    }
    check_value(*spec, node, path);
  }
}

void Validator::check_value(const KeySpec& spec, const toml::node& node, const std::string& path) {
  where(path, node);
  switch (spec.kind) {
    case Kind::Int:
    case Kind::Float:
    case Kind::Bool:
    case Kind::String:
    case Kind::IntOrString: return check_scalar(spec, node, path);
    case Kind::IntArray:
    case Kind::FloatArray:
    case Kind::StringArray: return check_array(spec, node, path);
    case Kind::Table:
      if (!node.is_table()) type_error(spec, node, path);
      return check_table(*node.as_table(), path);
    case Kind::BoolOrTable:
      if (node.is_boolean()) return;
      if (!node.is_table()) type_error(spec, node, path);
      return check_table(*node.as_table(), path);
    case Kind::LayerList: return check_layers(node, path);
    case Kind::BlockTable: return check_blocks(node, path);
    case Kind::SweepTable:
      if (!node.is_table()) type_error(spec, node, path);
      return check_sweep(*node.as_table(), path);
  }
}

void Validator::check_scalar(const KeySpec& spec, const toml::node& node, const std::string& path) {
  bool ok = false;
  switch (spec.kind) {
    case Kind::Int: ok = node.is_integer() && in_range(spec, node); break;
    case Kind::Float: ok = node.is_number() && in_range(spec, node); break;
    case Kind::Bool: ok = node.is_boolean(); break;
    case Kind::String: ok = node.is_string() && is_allowed(spec, node.as_string()->get()); break;
    case Kind::IntOrString:
      ok = (node.is_string() && is_allowed(spec, node.as_string()->get())) ||
           (node.is_integer() && in_range(spec, node));
      break;
    default: break;
  }
  if (!ok) type_error(spec, node, path);
}

void Validator::check_array(const KeySpec& spec, const toml::node& node, const std::string& path) {
  if (!node.is_array()) type_error(spec, node, path);
  KeySpec element = spec;
  element.kind = element_kind(spec.kind);
  size_t index = 0;
  for (const toml::node& item : *node.as_array()) {
    check_scalar(element, item, item_path(path, index++));
  }
}

void Validator::check_sweep(const toml::table& table, const std::string& path) {
  std::vector<std::pair<std::string, size_t>> lengths;
  // Nested tables are dotted keys written without quotes: [sweep] train.optimizer.lr = [...].
  auto walk = [&](auto&& self, const toml::table& t, const std::string& prefix) -> void {
    for (auto&& [key, node] : t) {
      const std::string full = child_path(prefix, key.str());
      if (full == "mode") {
        check_value(*find_key("sweep.mode"), node, "sweep.mode");
      } else if (node.is_table()) {
        self(self, *node.as_table(), full);
      } else {
        check_sweep_entry(key, full, node);
        lengths.emplace_back(full, node.as_array()->size());
      }
    }
  };
  walk(walk, table, "");
  const std::string mode = table["mode"].value_or(std::string("grid"));
  for (const auto& [key, length] : lengths) {
    if (mode == "zip" && length != lengths.front().second) {
      config_fail(where(path, table),
                  fmt::format("[sweep] mode = \"zip\" needs arrays of one length, but '{}' has {} "
                              "values and '{}' has {}",
                              lengths.front().first, lengths.front().second, key, length));
    }
  }
}

void Validator::check_sweep_entry(const toml::key& key, const std::string& full,
                                  const toml::node& node) {
  const std::string display = "sweep." + full;
  const KeySpec* spec = find_key(full);
  const bool layer_value = is_layer_value_path(split_path(full));
  if ((spec == nullptr || !is_sweepable(*spec)) && !layer_value) {
    config_fail(where_key(display, key),
                fmt::format("unknown key '{}' in [sweep]{}", full, unknown_key_hint(full)));
  }
  const toml::array* values = node.as_array();
  if (values == nullptr || values->empty()) {
    config_fail(where(display, node),
                fmt::format("'{}' must be a non-empty array of values to try, got {}", display,
                            toml_value_text(node)));
  }
  if (spec == nullptr) return;  // layer values are checked when each sweep point loads
  size_t index = 0;
  for (const toml::node& value : *values) check_value(*spec, value, item_path(display, index++));
}

}  // namespace camlab::experiments
