#include "experiments/config/toml_text.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

namespace camlab::experiments {

std::string toml_string_text(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string toml_float_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // fmt's "{}" is the shortest text that parses back to the same double.
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // TOML floats need . or e
  return text;
}

std::string toml_key_text(std::string_view key) {
  const bool bare = !key.empty() && key.find_first_not_of(
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_-") == std::string_view::npos;
  return bare ? std::string(key) : toml_string_text(key);
}

std::string toml_value_text(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return toml_string_text(node.as_string()->get());
    case toml::node_type::integer: return fmt::format("{}", node.as_integer()->get());
    case toml::node_type::floating_point: return toml_float_text(node.as_floating_point()->get());
    case toml::node_type::boolean: return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array: {
      std::string out = "[";
      for (const toml::node& item : *node.as_array()) {
        if (out.size() > 1) out += ", ";
        out += toml_value_text(item);
      }
      return out + "]";
    }
    case toml::node_type::table: {
      std::string out = "{";
      for (auto&& [key, value] : *node.as_table()) {
        out += out.size() > 1 ? ", " : " ";
        out += toml_key_text(key.str()) + " = " + toml_value_text(value);
      }
      return out + (out.size() > 1 ? " }" : "}");
    }
    default: {
      std::ostringstream text;  // dates and times: toml++'s own spelling
      node.visit([&](const auto& value) { text << value; });
      return text.str();
    }
  }
}

std::string source_text(std::string_view file, const toml::source_region& region) {
  if (region.begin.line == 0) return "";
  return fmt::format("{}:{}:{}", file, region.begin.line, region.begin.column);
}

}  // namespace camlab::experiments
