// `--set key=value` overrides: parsed as TOML, checked against the schema, applied in place.
//
//   Override o = parse_override("train.optimizer.lr=0.1");   // o.path == "train.optimizer.lr"
//   parse_override("data.dataset=mnist");                    // bare words are strings
//   parse_override("model.layers.0.out=64");                 // o.path == "model.layers[0].out"
//   apply_override(root, o);   // unknown keys: "--set train.optimiser=0.1: unknown key ..."
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <vector>

#include "experiments/config/key_path.h"

namespace camlab::experiments {

struct Override {
  std::string text;             // as given, "train.optimizer.lr=0.1"
  std::vector<PathPart> parts;  // [sweep] keys keep their dots: {"sweep"}, {"train.optimizer.lr"}
  std::string path;             // canonical, "model.layers[0].out"
  std::string raw_value;        // the text after '='
  toml::table holder;           // the value, parsed as TOML, under the key "v"

  std::string origin() const { return "--set " + text; }  // where errors point
  const toml::node& value() const { return *holder.get("v"); }
};

// Throws ConfigError for text without '=' or with a malformed key.
Override parse_override(std::string_view text);
// Sets the value (creating tables on the way); converts it to the key's type where the text was
// meant as such (a bare 123 for a string key, a single value for an array key).
void apply_override(toml::table& root, const Override& override_value);

}  // namespace camlab::experiments
