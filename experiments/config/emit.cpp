// Config::to_toml(): the resolved config in schema order, one key per line, layers one per line.
#include <fmt/format.h>

#include "experiments/config/config.h"
#include "experiments/config/layer_schema.h"
#include "experiments/config/schema.h"
#include "experiments/config/toml_text.h"

namespace camlab::experiments {
namespace {

// A layer's `inputs = []` (read the layer before) is left out: the sequential form reads as
// it always did.
bool is_default_inputs(const std::string& key, const toml::node& value) {
  return key == "inputs" && value.is_array() && value.as_array()->empty();
}

// {k = v, ...} with the keys in the given order (toml++ keeps tables sorted by key).
std::string inline_table(const toml::table& table, const std::vector<std::string>& order) {
  std::string out;
  for (const std::string& key : order) {
    const toml::node* value = table.get(key);
    if (value == nullptr || is_default_inputs(key, *value)) continue;
    out += out.empty() ? "{ " : ", ";
    out += toml_key_text(key) + " = " + toml_value_text(*value);
  }
  return out.empty() ? "{}" : out + " }";
}

std::string layer_list(const toml::array& layers) {
  std::string out = "[\n";
  for (const toml::node& node : layers) {
    const toml::table& layer = *node.as_table();
    const LayerType* type = find_layer_type(layer["type"].value_or(std::string()));
    out += "  " + inline_table(layer, layer_key_names(*type)) + ",\n";
  }
  return out + "]";
}

std::string sweep_section(const toml::table& sweep) {
  std::string out = fmt::format("mode = {}\n", toml_value_text(*sweep.get("mode")));
  for (auto&& [key, values] : sweep) {
    if (key.str() == "mode") continue;
    out += fmt::format("{} = {}\n", toml_string_text(key.str()), toml_value_text(values));
  }
  return out;
}

std::string section(const toml::table& table, const std::string& name, std::string& trailer) {
  std::string out;
  for (const std::string& key : child_names(name)) {
    const toml::node* value = table.get(key);
    if (value == nullptr) continue;
    const KeySpec& spec = *find_key(name + "." + key);
    const std::vector<std::string> order = child_names(spec.path);
    std::string text;
    if (spec.kind == Kind::LayerList) {
      text = layer_list(*value->as_array());
    } else if (spec.kind == Kind::BlockTable) {
      // Sub-tables must follow the section's own keys.
      for (auto&& [block, layers] : *value->as_table()) {
        if (trailer.empty()) trailer = fmt::format("\n[{}]\n", spec.path);
        trailer +=
            fmt::format("{} = {}\n", toml_key_text(block.str()), layer_list(*layers.as_array()));
      }
      continue;
    } else if (value->is_table()) {
      text = inline_table(*value->as_table(), order);
    } else {
      text = toml_value_text(*value);
    }
    out += fmt::format("{} = {}\n", toml_key_text(key), text);
  }
  return out;
}

}  // namespace

std::string Config::to_toml() const {
  std::string out = "# camlab resolved config: every key, defaults filled in\n";
  for (const std::string& name : child_names("")) {
    const toml::table& table = *root_[name].as_table();
    out += fmt::format("\n[{}]\n", name);
    if (find_key(name)->kind == Kind::SweepTable) {
      out += sweep_section(table);
      continue;
    }
    std::string trailer;
    out += section(table, name, trailer);
    out += trailer;
  }
  return out;
}

}  // namespace camlab::experiments
