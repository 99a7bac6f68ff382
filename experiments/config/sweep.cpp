#include "experiments/config/sweep.h"

#include <algorithm>

#include "experiments/config/key_path.h"
#include "experiments/config/toml_text.h"

namespace camlab::experiments {
namespace {

struct Axis {
  std::string key;                  // "train.optimizer.lr"
  std::vector<std::string> values;  // TOML text of each value
};

std::string label_value(const std::string& toml_text) {
  std::string out;
  for (const char c : toml_text) {
    if (c == '"' || c == '[' || c == ']' || c == '{' || c == '}' || c == ' ') continue;
    out += (c == ',') ? '+' : (c == '/' || c == '=' ? '_' : c);
  }
  return out;
}

SweepPoint make_point(const std::vector<Axis>& axes, const std::vector<size_t>& choice) {
  SweepPoint point;
  for (size_t a = 0; a < axes.size(); ++a) {
    const std::string& value = axes[a].values[choice[a]];
    point.overrides.push_back(axes[a].key + "=" + value);
    if (!point.label.empty()) point.label += ",";
    point.label += leaf_key(axes[a].key) + "=" + label_value(value);
  }
  return point;
}

}  // namespace

std::vector<SweepPoint> sweep_points(const Config& config) {
  const toml::table& sweep = *config.table()["sweep"].as_table();
  std::vector<Axis> axes;
  for (auto&& [key, values] : sweep) {
    if (key.str() == "mode") continue;
    Axis axis{.key = std::string(key.str())};
    for (const toml::node& value : *values.as_array())
      axis.values.push_back(toml_value_text(value));
    axes.push_back(std::move(axis));
  }
  std::vector<SweepPoint> points;
  if (axes.empty()) return points;
  std::vector<size_t> choice(axes.size(), 0);
  if (sweep["mode"].value_or(std::string("grid")) == "zip") {
    for (size_t i = 0; i < axes.front().values.size(); ++i) {
      std::fill(choice.begin(), choice.end(), i);
      points.push_back(make_point(axes, choice));
    }
    return points;
  }
  while (true) {  // odometer over the axes, last one fastest
    points.push_back(make_point(axes, choice));
    size_t a = axes.size();
    while (a > 0 && ++choice[a - 1] == axes[a - 1].values.size()) choice[--a] = 0;
    if (a == 0) return points;
  }
}

}  // namespace camlab::experiments
