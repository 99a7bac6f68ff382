// TOML spellings of values and keys, for error messages ("got \"64\"") and to_toml().
//
//   toml_value_text(toml::value<double>(0.05));     // "0.05"  (round-trips exactly)
//   toml_value_text(toml::value<std::string>("a"));  // "\"a\""
//   toml_key_text("train.optimizer.lr");             // "\"train.optimizer.lr\"" (needs quotes)
//   source_text("fmnist.toml", node.source());       // "fmnist.toml:12:1"
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

namespace camlab::experiments {

std::string toml_string_text(std::string_view text);  // quoted and escaped
std::string toml_float_text(double value);            // shortest text that reads back exactly
std::string toml_key_text(std::string_view key);      // bare when it can be, else quoted
// Any value; arrays as [a, b], tables inline as {k = v} (keys in the table's order).
std::string toml_value_text(const toml::node& node);
// "file:line:column" of a parsed node, or "" when the node was not parsed from text.
std::string source_text(std::string_view file, const toml::source_region& region);

}  // namespace camlab::experiments
