#include "experiments/config/schema.h"

#include <fmt/format.h>

#include <cmath>

#include "experiments/config/key_path.h"
#include "tensor/suggest.h"

namespace camlab::experiments {

bool Range::contains(double value) const {
  const bool above_lo = lo_open ? value > lo : value >= lo;
  const bool below_hi = hi_open ? value < hi : value <= hi;
  return above_lo && below_hi;
}

std::string Range::str() const {
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  if (has_lo && has_hi) {
    return fmt::format(" in {}{}, {}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
  }
  if (has_lo) return fmt::format(" {} {}", lo_open ? ">" : "≥", lo);
  if (has_hi) return fmt::format(" {} {}", hi_open ? "<" : "≤", hi);
  return "";
}

Range at_least(double lo) { return {.lo = lo}; }
Range above(double lo) { return {.lo = lo, .lo_open = true}; }
Range closed(double lo, double hi) { return {.lo = lo, .hi = hi}; }
Range half_open(double lo, double hi) { return {.lo = lo, .hi = hi, .hi_open = true}; }

const KeySpec* find_key(std::string_view path) {
  for (const KeySpec& spec : schema()) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

std::vector<std::string> child_names(std::string_view parent) {
  std::vector<std::string> names;
  for (const KeySpec& spec : schema()) {
    const std::string_view path = spec.path;
    if (parent.empty()) {
      if (path.find('.') == std::string_view::npos) names.emplace_back(path);
    } else if (path.size() > parent.size() + 1 && path.starts_with(parent) &&
               path[parent.size()] == '.' &&
               path.find('.', parent.size() + 1) == std::string_view::npos) {
      names.emplace_back(path.substr(parent.size() + 1));
    }
  }
  return names;
}

std::vector<std::string> leaf_paths() {
  std::vector<std::string> paths;
  for (const KeySpec& spec : schema()) {
    if (spec.kind != Kind::Table && spec.kind != Kind::SweepTable) paths.push_back(spec.path);
  }
  return paths;
}

std::string expected_text(const KeySpec& spec) {
  switch (spec.kind) {
    case Kind::Int: return "an integer" + spec.range.str();
    case Kind::Float: return "a number" + spec.range.str();
    case Kind::Bool: return "true or false";
    case Kind::String:
      if (spec.allowed.empty()) return "a string";
      return "one of " + join_quoted(spec.allowed, "\"") +
             (spec.allowed_before_colon ? " (with optional :arguments)" : "");
    case Kind::IntArray: return "an array of integers" + spec.range.str();
    case Kind::FloatArray: return "an array of numbers" + spec.range.str();
    case Kind::StringArray:
      return spec.allowed.empty() ? "an array of strings"
                                  : "an array of strings from " + join_quoted(spec.allowed, "\"");
    case Kind::Table:
    case Kind::SweepTable: return "a table";
    case Kind::BoolOrTable: return "true, false or a table {mean = [...], std = [...]}";
    case Kind::IntOrString:
      return (spec.allowed.empty() ? std::string("a string") : join_quoted(spec.allowed, "\"")) +
             " or a class index" + spec.range.str();
    case Kind::LayerList: return "an array of layer tables like {type = \"conv\", out = 32}";
    case Kind::BlockTable: return "a table of named layer lists";
  }
  return "a value";
}

std::string unknown_key_hint(std::string_view path) {
  const std::string parent = parent_path(path);
  const std::string leaf = leaf_key(path);
  const std::vector<std::string> siblings = child_names(parent);
  const std::string sibling = nearest(leaf, siblings);
  if (!sibling.empty()) return fmt::format(" — did you mean '{}'?", child_path(parent, sibling));
  // The right key in the wrong section ([train] batch_size).
  for (const KeySpec& spec : schema()) {
    if (leaf_key(spec.path) == leaf && parent_path(spec.path) != parent) {
      return fmt::format(" — did you mean '{}'?", spec.path);
    }
  }
  std::vector<std::string> all;
  for (const KeySpec& spec : schema()) all.push_back(spec.path);
  const std::string anywhere = nearest(path, all);
  if (!anywhere.empty()) return fmt::format(" — did you mean '{}'?", anywhere);
  if (siblings.empty()) return "";
  if (parent.empty()) return " — valid sections: " + join_quoted(siblings, "");
  return fmt::format(" — valid keys in [{}]: {}", parent, join_quoted(siblings, ""));
}

}  // namespace camlab::experiments
