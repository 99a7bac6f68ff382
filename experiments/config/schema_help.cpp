#include "experiments/config/schema_help.h"

#include <fmt/format.h>

#include "experiments/config/layer_schema.h"

namespace camlab::experiments {
namespace {

std::string join_bar(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : "|") + item;
  return out;
}

}  // namespace

std::string short_type(const KeySpec& spec) {
  switch (spec.kind) {
    case Kind::Int: return "int" + spec.range.str();
    case Kind::Float: return "float" + spec.range.str();
    case Kind::Bool: return "bool";
    case Kind::String: return spec.allowed.empty() ? "string" : join_bar(spec.allowed);
    case Kind::IntArray: return "int array";
    case Kind::FloatArray: return "float array";
    case Kind::StringArray: return "string array";
    case Kind::Table: return "table";
    case Kind::BoolOrTable: return "bool or {mean, std}";
    case Kind::IntOrString:
      return spec.allowed.empty() ? "string|class index" : join_bar(spec.allowed) + "|class index";
    case Kind::LayerList: return "layer list";
    case Kind::BlockTable: return "name -> layer list";
    case Kind::SweepTable: return "\"key\" -> values";
  }
  return "";
}

std::string schema_help() {
  std::string out;
  for (const KeySpec& spec : schema()) {
    if (spec.kind == Kind::Table && spec.path.find('.') == std::string::npos) {
      out += fmt::format("\n[{}]  {}\n", spec.path, spec.doc);
      continue;
    }
    out += fmt::format("  {:<30} {:<24} {:<14} {}\n", spec.path, short_type(spec),
                       spec.default_toml, spec.doc);
  }
  out += "\n[model] layers: {type = \"...\", key = value, ...}\n";
  for (const LayerType& type : layer_types()) {
    std::string keys;
    for (const KeySpec& key : type.keys) {
      if (key.path == "type") continue;
      keys += keys.empty() ? "" : ", ";
      keys +=
          key.default_toml.empty() ? key.path + " (required)" : key.path + " = " + key.default_toml;
    }
    out += fmt::format("  {:<11} {}: {}\n", type.type, type.doc, keys);
  }
  return out;
}

}  // namespace camlab::experiments
