// The runs a [sweep] section asks for, each as the --set overrides that make it.
//
//   // [sweep] "train.optimizer.lr" = [0.01, 0.1]   "data.batch_size" = [32, 64]   (grid: 4 runs)
//   for (const SweepPoint& point : sweep_points(cfg)) {
//     Config run = load_config(path, concat(user_overrides, point.overrides));
//     // point.overrides == {"data.batch_size=32", "train.optimizer.lr=0.01"}, point.label ==
//     // "batch_size=32,lr=0.01" (a folder name: runs/<name>/<label>)
//   }
#pragma once

#include <string>
#include <vector>

#include "experiments/config/config.h"

namespace camlab::experiments {

struct SweepPoint {
  std::vector<std::string> overrides;  // "key=value", value in TOML
  std::string label;                   // "leaf=value,..." with only filename-safe characters
};

// grid: every combination, the last key (in key order) varying fastest; zip: the i-th value of
// every key together. Empty when [sweep] names no keys.
std::vector<SweepPoint> sweep_points(const Config& config);

}  // namespace camlab::experiments
