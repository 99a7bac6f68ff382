// load_config / parse_config: parse, apply --set overrides, validate, fill defaults, check.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiments/config/config.h"
#include "experiments/config/override.h"
#include "experiments/config/resolve.h"

namespace camlab::experiments {
namespace {

toml::table parse_toml(std::string_view text, const std::string& source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::string description(e.description());
    std::replace(description.begin(), description.end(), '\n', ' ');
    config_fail(
        fmt::format("{}:{}:{}", source_name, e.source().begin.line, e.source().begin.column),
        "TOML syntax error: " + description);
  }
}

// The name a run gets when [experiment] name is empty: the file's stem.
void default_name(toml::table& root, const std::string& source_name) {
  toml::table& experiment = *root["experiment"].as_table();
  if (experiment["name"].value_or(std::string()).empty()) {
    experiment.insert_or_assign("name", std::filesystem::path(source_name).stem().string());
  }
}

}  // namespace

Config parse_config(std::string_view text, const std::string& source_name,
                    const std::vector<std::string>& overrides) {
  toml::table root = parse_toml(text, source_name);
  Origins origins{.file = source_name};
  for (const std::string& text_override : overrides) {
    const Override o = parse_override(text_override);
    apply_override(root, o);
    origins.overrides.emplace_back(o.path, o.origin());
  }
  Locations where;
  Validator(origins, where).check_root(root);
  resolve_defaults(root);
  default_name(root, source_name);
  return Config::from_resolved(std::move(root), source_name, std::move(where));
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    config_fail(path, fmt::format("cannot read the config ({}) — check the path; shipped configs "
                                  "are in experiments/configs/",
                                  std::strerror(errno)));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parse_config(text.str(), path, overrides);
}

}  // namespace camlab::experiments
