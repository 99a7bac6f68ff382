// The table of every key an experiment TOML may hold: type, default, valid range, one-line doc.
//
//   const KeySpec* spec = find_key("train.optimizer.lr");   // Kind::Float, default "0.01", > 0
//   expected_text(*spec);                                     // "a number > 0"
//   child_names("train");                                     // {"epochs", "optimizer", ...}
//   for (const KeySpec& k : schema()) fmt::print("{:28} {}\n", k.path, k.doc);   // --help text
//
// Layers have their own table (layer_schema.h); [sweep] and [model.blocks] take any key.
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace camlab::experiments {

enum class Kind {
  Int,
  Float,  // an integer in the file is accepted and stored as a float
  Bool,
  String,
  IntArray,
  FloatArray,
  StringArray,
  Table,        // a section or an inline table whose keys are in the schema
  BoolOrTable,  // data.normalize: true, false or {mean = [...], std = [...]}
  IntOrString,  // explain.target: "predicted", "label" or a class index
  LayerList,    // model.layers: an array of inline tables, see layer_schema.h
  BlockTable,   // model.blocks: name -> layer list
  SweepTable,   // sweep: dotted config path -> array of values, plus mode
};

// A closed, open or half-open interval; the default is unbounded.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double value) const;
  std::string str() const;  // " ≥ 1", " > 0", " in [0, 1)", "" when unbounded
};
Range at_least(double lo);
Range above(double lo);
Range closed(double lo, double hi);
Range half_open(double lo, double hi);  // [lo, hi)

struct KeySpec {
  std::string path;  // "train.optimizer.lr"
  Kind kind;
  std::string default_toml;  // TOML text of the default ("0.01", "\"sgd\"", "[]"); "" = none
  Range range = {};          // numbers and the elements of number arrays
  std::vector<std::string> allowed = {};  // strings, or each element of a string array
  bool allowed_before_colon = false;      // match only the text before ':' ("random_crop:2")
  std::string doc = {};
};

const std::vector<KeySpec>& schema();
const KeySpec* find_key(std::string_view path);
// Names of the keys directly under `parent` ("" for the sections), in schema order.
std::vector<std::string> child_names(std::string_view parent);
// Every leaf path (not tables), for suggestions.
std::vector<std::string> leaf_paths();
// What a value of this key must be: "an integer ≥ 1", "one of \"cpu\", \"cuda\", \"auto\"".
std::string expected_text(const KeySpec& spec);

// The tail of an "unknown key 'path'" message: " — did you mean 'train.optimizer'?", or the
// valid keys of the enclosing section when nothing is close.
std::string unknown_key_hint(std::string_view path);

}  // namespace camlab::experiments
