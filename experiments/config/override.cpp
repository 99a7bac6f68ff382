#include "experiments/config/override.h"

#include <fmt/format.h>

#include <optional>

#include "experiments/config/config_error.h"
#include "experiments/config/schema.h"

namespace camlab::experiments {
namespace {

// Layer keys whose values are strings whatever the text looks like.
bool is_layer_string_key(std::string_view key) {
  return key == "type" || key == "name" || key == "block" || key == "mode";
}

bool is_layer_path(const std::vector<PathPart>& parts) {
  if (parts.size() < 3 || parts[0].key != "model") return false;
  if (parts[1].key == "layers") return parts[2].is_index();
  return parts[1].key == "blocks";
}

// The schema's spec for the key, if it is a plain schema path (no array indices).
const KeySpec* schema_spec(const Override& o) {
  for (const PathPart& part : o.parts) {
    if (part.is_index()) return nullptr;
  }
  return find_key(o.path);
}

void check_key_known(const Override& o) {
  if (o.parts[0].key == "sweep" || is_layer_path(o.parts)) return;  // checked by validation
  const KeySpec* spec = schema_spec(o);
  if (spec == nullptr) {
    config_fail(o.origin(), fmt::format("unknown key '{}'{}", o.path, unknown_key_hint(o.path)));
  }
}

// The text as one TOML value, or nothing when it is not one.
std::optional<toml::table> parse_toml_value(const std::string& raw) {
  try {
    toml::table parsed = toml::parse("v = " + raw);
    if (parsed.size() == 1 && parsed.contains("v")) return parsed;
  } catch (const toml::parse_error&) {
  }
  return std::nullopt;
}

std::string trimmed(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}

// Parses the text after '=' as a TOML value. What is not one is a bare string, and a bracketed
// list of bare words ([cam, gradcam], which spares the shell quotes) is an array of them.
toml::table parse_value(const std::string& raw) {
  if (std::optional<toml::table> parsed = parse_toml_value(raw)) return *std::move(parsed);
  toml::table holder;
  const std::string text = trimmed(raw);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    toml::array items;
    std::string_view rest = std::string_view(text).substr(1, text.size() - 2);
    while (!trimmed(rest).empty()) {
      const size_t comma = rest.find(',');
      const std::string item = trimmed(rest.substr(0, comma));
      if (std::optional<toml::table> value = parse_toml_value(item)) {
        items.push_back(*value->get("v"));
      } else {
        items.push_back(item);
      }
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    holder.insert_or_assign("v", std::move(items));
    return holder;
  }
  holder.insert_or_assign("v", raw);
  return holder;
}

bool is_scalar(const toml::node& node) { return !node.is_array() && !node.is_table(); }

// What the user meant: `name=2024` is the string "2024", `augment=hflip` the array ["hflip"].
void coerce_to_key_type(const Override& o, toml::table& holder) {
  const toml::node& value = *holder.get("v");
  Kind kind = Kind::Table;
  if (const KeySpec* spec = schema_spec(o)) {
    kind = spec->kind;
  } else if (is_layer_path(o.parts) && !o.parts.back().is_index() &&
             is_layer_string_key(o.parts.back().key)) {
    kind = Kind::String;
  }
  const bool string_wanted =
      kind == Kind::String || (kind == Kind::IntOrString && !value.is_integer());
  if (string_wanted && !value.is_string()) {
    holder.insert_or_assign("v", o.raw_value);
  } else if ((kind == Kind::StringArray || kind == Kind::IntArray || kind == Kind::FloatArray) &&
             is_scalar(value)) {
    toml::array wrapped;
    wrapped.push_back(value);
    holder.insert_or_assign("v", std::move(wrapped));
  }
}

std::string describe_node(const toml::node& node) {
  if (node.is_table()) return "a table";
  if (node.is_array()) return "an array";
  return "a value";
}

}  // namespace

Override parse_override(std::string_view text) {
  const std::string origin = fmt::format("--set {}", text);
  const size_t equals = text.find('=');
  if (equals == std::string_view::npos) {
    config_fail(origin, "expected key=value, e.g. --set train.optimizer.lr=0.1");
  }
  Override o;
  o.text = std::string(text);
  const std::string_view key = text.substr(0, equals);
  o.raw_value = std::string(text.substr(equals + 1));
  if (key.starts_with("sweep.") && key != "sweep.mode") {
    o.parts = {{.key = "sweep"}, {.key = std::string(key.substr(6))}};
    o.path = std::string(key);
  } else {
    o.parts = split_path(key);
    if (o.parts.empty() || o.parts[0].is_index()) {
      config_fail(origin, fmt::format("malformed key '{}' — write dotted keys like "
                                      "train.optimizer.lr or model.layers.0.out",
                                      key));
    }
    o.path = path_text(o.parts);
  }
  check_key_known(o);
  o.holder = parse_value(o.raw_value);
  coerce_to_key_type(o, o.holder);
  return o;
}

void apply_override(toml::table& root, const Override& o) {
  toml::node* current = &root;
  std::string walked;
  for (size_t i = 0; i < o.parts.size(); ++i) {
    const PathPart& part = o.parts[i];
    const bool last = i + 1 == o.parts.size();
    if (part.is_index()) {
      toml::array* array = current->as_array();
      if (array == nullptr) {
        config_fail(o.origin(), fmt::format("'{}' is {}, not an array — cannot set '{}'", walked,
                                            describe_node(*current), o.path));
      }
      const auto index = static_cast<size_t>(part.index);
      if (index > array->size() || (index == array->size() && !last)) {
        config_fail(o.origin(), fmt::format("'{}' has {} entries; index {} is out of range", walked,
                                            array->size(), index));
      }
      if (last && index == array->size()) {
        array->push_back(o.value());
      } else if (last) {
        array->replace(array->cbegin() + part.index, o.value());
      } else {
        current = array->get(index);
      }
      walked = item_path(walked, index);
      continue;
    }
    toml::table* table = current->as_table();
    const KeySpec* walked_spec = find_key(walked);
    if (table == nullptr && walked_spec != nullptr && walked_spec->kind == Kind::BoolOrTable) {
      // data.normalize = true, then --set data.normalize.mean=[...]: the table form takes over.
      toml::table& parent = *root.at_path(parent_path(walked)).as_table();
      parent.insert_or_assign(leaf_key(walked), toml::table{});
      current = parent.get(leaf_key(walked));
      table = current->as_table();
    }
    if (table == nullptr) {
      config_fail(o.origin(), fmt::format("'{}' is {}, not a table — cannot set '{}'", walked,
                                          describe_node(*current), o.path));
    }
    if (last) {
      table->insert_or_assign(part.key, o.value());
    } else {
      if (!table->contains(part.key)) table->insert(part.key, toml::table{});
      current = table->get(part.key);
    }
    walked = child_path(walked, part.key);
  }
}

}  // namespace camlab::experiments
