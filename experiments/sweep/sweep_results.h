// A sweep's results: swept values × final metrics of every run, ranked, and the data of one plot
// per metric against each swept key. `camlab sweep` writes them as files (results_files.h) and
// `camlab report` draws them as SVG.
//
//   SweepResults r = collect_results("runs/ablation-sweep");   // reads sweep.json + metrics.json
//   r.runs[0].label;  r.runs[0].metrics.at("test_accuracy");   // ranked best first
//   for (const MetricPlot& p : metric_plots(r)) draw(p.metric, p.key, p.series);
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace camlab::experiments {

struct SweepRunResult {
  std::string label;
  std::filesystem::path dir;
  std::vector<std::string> values;  // TOML text per swept key
  std::string status;               // finished, unfinished, missing
  std::map<std::string, double> metrics;
};

struct SweepResults {
  std::string name;
  std::filesystem::path dir;
  std::vector<std::string> keys;     // swept keys
  std::vector<std::string> metrics;  // every metric some run has, the headline ones first
  std::string rank_metric;           // "" when no run has finished
  bool higher_is_better = true;
  std::vector<SweepRunResult> runs;  // ranked: best first, runs without the metric last
};

// The final numbers of each run: metrics.json's numbers, and localize/metrics.json's (if a
// localization was run) as "localize.<key>". `rank_metric` "" picks test_accuracy, else the first
// GT-known Loc of the method first by name (an evaluation sweep), else the first metric; losses and
// errors rank lowest first.
SweepResults collect_results(const std::filesystem::path& sweep_dir,
                             const std::string& rank_metric = "");

struct PlotSeries {
  std::string name;  // the other keys' values ("" when only one key is swept)
  std::vector<double> x, y;
};

struct MetricPlot {
  std::string metric;                   // "test_accuracy"
  std::string key;                      // the swept key on the x axis
  std::vector<std::string> categories;  // non-numeric values: x is the index into these
  std::vector<PlotSeries> series;       // one line per combination of the other keys
  std::string file_stem;                // "test_accuracy-vs-out" (filename-safe)
};

// The metrics worth plotting (not bookkeeping such as epochs or threads), each against each key.
std::vector<MetricPlot> metric_plots(const SweepResults& results);

// "0.01", "[\"hflip\"]" -> a cell for tables: TOML strings unquoted, the rest as written.
std::string display_value(const std::string& toml_text);

}  // namespace camlab::experiments
