#include "experiments/sweep/sweep_results.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>

#include "experiments/run/metrics_json.h"
#include "experiments/run/run_dir.h"
#include "experiments/sweep/sweep_plan.h"

namespace camlab::experiments {
namespace fs = std::filesystem;
namespace {

// Shown first, in this order, when present; the rest follow alphabetically.
const std::vector<std::string> kHeadline = {"test_accuracy", "best_test_accuracy", "test_loss"};
// Final numbers that describe the run rather than measure the model.
const std::set<std::string> kBookkeeping = {"epochs", "best_epoch", "threads"};

void add_numbers(const nlohmann::json& json, const std::string& prefix,
                 std::map<std::string, double>& out) {
  for (const auto& [key, value] : json.items()) {
    if (value.is_number()) {
      out[prefix + key] = value.get<double>();
    } else if (value.is_object()) {
      add_numbers(value, prefix + key + ".", out);
    }
  }
}

std::map<std::string, double> read_metrics(const fs::path& run_dir) {
  std::map<std::string, double> metrics;
  for (const auto& [file, prefix] :
       {std::pair{run_dir / "metrics.json", std::string()},
        std::pair{run_dir / "localize" / "metrics.json", std::string("localize.")}}) {
    if (!fs::exists(file)) continue;
    try {
      add_numbers(read_json(file), prefix, metrics);
    } catch (const Error&) {
      // A half-written or foreign file: the run shows without these numbers.
    }
  }
  return metrics;
}

std::string status_text(RunState state) {
  switch (state) {
    case RunState::Finished: return "finished";
    case RunState::Unfinished: return "unfinished";
    case RunState::NotARun: return "not a run";
    case RunState::Missing:
    case RunState::Empty: break;
  }
  return "missing";
}

// An evaluation sweep's point (evaluation_sweep.h) is done once its localization is written.
std::string point_status(const fs::path& point_dir) {
  return fs::exists(point_dir / "localize" / "metrics.json") ? "finished" : "missing";
}

std::vector<std::string> ordered_metrics(const std::vector<SweepRunResult>& runs) {
  std::set<std::string> all;
  for (const SweepRunResult& run : runs) {
    for (const auto& [key, value] : run.metrics) all.insert(key);
  }
  std::vector<std::string> out;
  for (const std::string& key : kHeadline) {
    if (all.erase(key) > 0) out.push_back(key);
  }
  // Without a training metric (an evaluation sweep), GT-known Loc leads: the localization headline.
  for (auto it = all.begin(); it != all.end();) {
    if (it->ends_with(".gt_known_loc")) {
      out.push_back(*it);
      it = all.erase(it);
    } else {
      ++it;
    }
  }
  out.insert(out.end(), all.begin(), all.end());
  return out;
}

bool lower_is_better(const std::string& metric) {
  return metric.find("loss") != std::string::npos || metric.find("error") != std::string::npos ||
         metric.find("seconds") != std::string::npos;
}

std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string leaf_of(const std::string& key) {
  const size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

std::string filename_safe(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool safe =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    out += safe ? c : '_';
  }
  return out;
}

MetricPlot plot_of(const SweepResults& results, const std::vector<const SweepRunResult*>& runs,
                   const std::string& metric, size_t key_index) {
  const std::string& key = results.keys[key_index];
  MetricPlot plot{.metric = metric, .key = key};
  plot.file_stem = filename_safe(metric + "-vs-" + key);
  bool numeric = true;
  for (const SweepRunResult* run : runs) {
    numeric = numeric && parse_number(run->values[key_index]).has_value();
  }
  if (!numeric) {
    for (const SweepRunResult* run : runs) {
      const std::string value = display_value(run->values[key_index]);
      if (std::find(plot.categories.begin(), plot.categories.end(), value) ==
          plot.categories.end()) {
        plot.categories.push_back(value);
      }
    }
  }
  std::map<std::string, PlotSeries> lines;  // by the other keys' values
  std::vector<std::string> line_order;
  for (const SweepRunResult* run : runs) {
    const auto found = run->metrics.find(metric);
    if (found == run->metrics.end()) continue;
    std::string name;
    for (size_t k = 0; k < results.keys.size(); ++k) {
      if (k == key_index) continue;
      name += (name.empty() ? "" : ", ") + leaf_of(results.keys[k]) + "=" +
              display_value(run->values[k]);
    }
    if (lines.count(name) == 0) line_order.push_back(name);
    PlotSeries& line = lines[name];
    line.name = name;
    const std::string value = display_value(run->values[key_index]);
    line.x.push_back(numeric ? *parse_number(run->values[key_index])
                             : static_cast<double>(std::find(plot.categories.begin(),
                                                             plot.categories.end(), value) -
                                                   plot.categories.begin()));
    line.y.push_back(found->second);
  }
  for (const std::string& name : line_order) {
    PlotSeries line = lines[name];
    std::vector<size_t> order(line.x.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return line.x[a] < line.x[b]; });
    PlotSeries sorted{.name = line.name};
    for (const size_t i : order) {
      sorted.x.push_back(line.x[i]);
      sorted.y.push_back(line.y[i]);
    }
    plot.series.push_back(std::move(sorted));
  }
  return plot;
}

}  // namespace

std::string display_value(const std::string& toml_text) {
  if (toml_text.size() >= 2 && toml_text.front() == '"' && toml_text.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < toml_text.size(); ++i) {
      if (toml_text[i] == '\\' && i + 2 < toml_text.size()) ++i;
      out += toml_text[i];
    }
    return out;
  }
  return toml_text;
}

SweepResults collect_results(const fs::path& sweep_dir, const std::string& rank_metric) {
  const SweepPlan plan = read_sweep_record(sweep_dir);
  SweepResults results{.name = plan.name, .dir = sweep_dir, .keys = plan.keys};
  for (const PlannedRun& run : plan.runs) {
    results.runs.push_back(
        {.label = run.label,
         .dir = run.dir,
         .values = run.values,
         .status = plan.run.empty() ? status_text(RunDir::state(run.dir)) : point_status(run.dir),
         .metrics = read_metrics(run.dir)});
  }
  results.metrics = ordered_metrics(results.runs);
  if (!rank_metric.empty()) {
    CAMLAB_CHECK(std::find(results.metrics.begin(), results.metrics.end(), rank_metric) !=
                     results.metrics.end(),
                 "sweep results: no run has the metric '{}' to rank by (metrics: {})", rank_metric,
                 fmt::join(results.metrics, ", "));
    results.rank_metric = rank_metric;
  } else if (!results.metrics.empty()) {
    results.rank_metric = results.metrics.front();
  }
  if (results.rank_metric.empty()) return results;
  results.higher_is_better = !lower_is_better(results.rank_metric);
  const std::string& metric = results.rank_metric;
  std::stable_sort(results.runs.begin(), results.runs.end(),
                   [&](const SweepRunResult& a, const SweepRunResult& b) {
                     const auto fa = a.metrics.find(metric), fb = b.metrics.find(metric);
                     const bool ha = fa != a.metrics.end() && !std::isnan(fa->second);
                     const bool hb = fb != b.metrics.end() && !std::isnan(fb->second);
                     if (ha != hb) return ha;
                     if (!ha) return false;
                     return results.higher_is_better ? fa->second > fb->second
                                                     : fa->second < fb->second;
                   });
  return results;
}

std::vector<MetricPlot> metric_plots(const SweepResults& results) {
  // Lines and categories follow the sweep's own order, not the ranking.
  const SweepPlan plan = read_sweep_record(results.dir);
  std::vector<const SweepRunResult*> runs;
  for (const PlannedRun& planned : plan.runs) {
    for (const SweepRunResult& run : results.runs) {
      if (run.label == planned.label) runs.push_back(&run);
    }
  }
  std::vector<MetricPlot> plots;
  for (const std::string& metric : results.metrics) {
    if (kBookkeeping.count(metric) > 0) continue;
    for (size_t k = 0; k < results.keys.size(); ++k)
      plots.push_back(plot_of(results, runs, metric, k));
  }
  return plots;
}

}  // namespace camlab::experiments
