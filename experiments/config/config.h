// An experiment configuration: the TOML file plus --set overrides, validated against the schema
// (schema.h) with every default filled in.
//
//   Config cfg = load_config("experiments/configs/fmnist-gapnet.toml", {"train.epochs=3"});
//   int64_t epochs = cfg.get_int("train.epochs");          // 3
//   double lr = cfg.get_double("train.optimizer.lr");      // 0.05
//   for (const LayerSpec& layer : cfg.layers()) ...        // typed, with its source line
//   write_text_atomic(run.file("config.toml"), cfg.to_toml());   // loads back equal
//
// Errors are ConfigError, one line: "fmnist.toml:12:1: unknown key 'train.optimiser' — did you
// mean 'train.optimizer'?".
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/config/config_error.h"
#include "experiments/config/layer_spec.h"
#include "experiments/config/validator.h"

namespace camlab::experiments {

// data.normalize in one shape: off, on with statistics computed (empty mean/std), or given.
struct NormalizeSpec {
  bool enabled = false;
  std::vector<double> mean;
  std::vector<double> std;
};

class Config {
 public:
  // Typed reads of schema keys ("train.optimizer.lr"). A path outside the schema or a type that
  // does not match is a programming error (camlab::Error naming the key).
  int64_t get_int(std::string_view path) const;
  double get_double(std::string_view path) const;  // integers too
  bool get_bool(std::string_view path) const;
  std::string get_string(std::string_view path) const;
  std::vector<std::string> get_strings(std::string_view path) const;
  std::vector<int64_t> get_ints(std::string_view path) const;
  std::vector<double> get_doubles(std::string_view path) const;
  bool holds_int(std::string_view path) const;  // explain.target: a class index, not a word

  const std::vector<LayerSpec>& layers() const { return layers_; }
  const std::map<std::string, std::vector<LayerSpec>>& blocks() const { return blocks_; }
  NormalizeSpec normalize() const;
  std::string name() const { return get_string("experiment.name"); }

  // Where a value came from: "fmnist.toml:8:14", "--set data.batch_size=8", or the file name
  // alone for a default. Use it to point runtime errors at the config.
  std::string where(std::string_view path) const;
  const std::string& source() const { return source_; }  // the file as named, or "<string>"
  const toml::table& table() const { return root_; }     // resolved

  // The resolved config as TOML, every key written; parse_config(to_toml()) == *this.
  std::string to_toml() const;

  bool operator==(const Config& other) const { return root_ == other.root_; }

  // For load_config: `root` validated and resolved, `where` from the validation. Reads the layers
  // and runs the cross-key checks (consistency.h).
  static Config from_resolved(toml::table root, std::string source, Locations where);

 private:
  const toml::node& node(std::string_view path, std::string_view accessor) const;

  toml::table root_;
  std::string source_;
  Locations where_;
  std::vector<LayerSpec> layers_;
  std::map<std::string, std::vector<LayerSpec>> blocks_;
};

// Reads, overrides (`key=value` as given to --set), validates and resolves. Throws ConfigError.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
// The same from text; `source_name` stands for the file in messages and gives the default name.
Config parse_config(std::string_view text, const std::string& source_name,
                    const std::vector<std::string>& overrides = {});

}  // namespace camlab::experiments
