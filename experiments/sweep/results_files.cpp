#include "experiments/sweep/results_files.h"

#include <fmt/format.h>

#include <cmath>

#include "cam/render/plot.h"
#include "cam/render/png_io.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_csv.h"

namespace camlab::experiments {
namespace fs = std::filesystem;
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string metric_cell(const SweepRunResult& run, const std::string& metric) {
  const auto found = run.metrics.find(metric);
  return found == run.metrics.end() ? "" : csv_number(found->second);
}

std::string md_cell(std::string text) {
  size_t at = 0;
  while ((at = text.find('|', at)) != std::string::npos) {
    text.replace(at, 1, "\\|");
    at += 2;
  }
  return text;
}

// Fractions in [0, 1] named like accuracies read best as percentages.
std::string md_metric(const SweepRunResult& run, const std::string& metric) {
  const auto found = run.metrics.find(metric);
  if (found == run.metrics.end()) return "–";
  const double v = found->second;
  if (std::isnan(v)) return "nan";
  if (metric.find("accuracy") != std::string::npos && v >= 0 && v <= 1) {
    return fmt::format("{:.2f}%", 100 * v);
  }
  return csv_number(v);
}

std::string axis_label(const MetricPlot& plot) {
  if (plot.categories.empty()) return plot.key;
  std::string legend;
  for (size_t i = 0; i < plot.categories.size(); ++i) {
    legend += fmt::format("{}{}={}", i == 0 ? "" : ", ", i, plot.categories[i]);
  }
  return fmt::format("{} ({})", plot.key, legend);
}

}  // namespace

std::string results_csv(const SweepResults& results) {
  std::vector<std::string> header = {"run", "status"};
  header.insert(header.end(), results.keys.begin(), results.keys.end());
  header.insert(header.end(), results.metrics.begin(), results.metrics.end());
  std::string out;
  for (size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + csv_field(header[i]);
  out += "\n";
  for (const SweepRunResult& run : results.runs) {
    out += csv_field(run.label) + "," + run.status;
    for (const std::string& value : run.values) out += "," + csv_field(display_value(value));
    for (const std::string& metric : results.metrics) out += "," + metric_cell(run, metric);
    out += "\n";
  }
  return out;
}

std::string results_markdown(const SweepResults& results, const std::vector<fs::path>& plots) {
  std::string out = fmt::format("# {} sweep\n\n", results.name);
  if (results.rank_metric.empty()) {
    out += "No run has finished yet.\n\n";
  } else {
    out += fmt::format("{} runs, ranked by {} ({} is better).\n\n", results.runs.size(),
                       results.rank_metric, results.higher_is_better ? "higher" : "lower");
  }
  std::vector<std::string> header = {"rank", "run"};
  header.insert(header.end(), results.keys.begin(), results.keys.end());
  header.insert(header.end(), results.metrics.begin(), results.metrics.end());
  header.push_back("status");
  for (const std::string& h : header) out += "| " + md_cell(h) + " ";
  out += "|\n";
  for (size_t i = 0; i < header.size(); ++i) out += i < 2 + results.keys.size() ? "|---" : "|--:";
  out += "|\n";
  for (size_t r = 0; r < results.runs.size(); ++r) {
    const SweepRunResult& run = results.runs[r];
    out += fmt::format("| {} | {} ", r + 1, md_cell(run.label));
    for (const std::string& value : run.values) out += "| " + md_cell(display_value(value)) + " ";
    for (const std::string& metric : results.metrics) out += "| " + md_metric(run, metric) + " ";
    out += "| " + run.status + " |\n";
  }
  if (!plots.empty()) out += "\n## Plots\n\n";
  for (const fs::path& plot : plots) {
    out += fmt::format("![{}]({})\n", plot.stem().string(), plot.generic_string());
  }
  return out;
}

std::vector<fs::path> write_metric_plots(const SweepResults& results) {
  std::vector<fs::path> written;
  fs::create_directories(results.dir / "plots");
  for (const MetricPlot& plot : metric_plots(results)) {
    std::vector<render::Series> series;
    for (const PlotSeries& line : plot.series) {
      series.push_back({.name = line.name, .x = line.x, .y = line.y});
    }
    if (series.empty()) continue;
    const fs::path relative = fs::path("plots") / (plot.file_stem + ".png");
    render::write_png(results.dir / relative,
                      render::plot_lines(series, fmt::format("{}: {}", results.name, plot.metric),
                                         axis_label(plot), plot.metric));
    written.push_back(relative);
  }
  return written;
}

void write_results(const SweepResults& results) {
  write_text_atomic(results.dir / "results.csv", results_csv(results));
  const std::vector<fs::path> plots = write_metric_plots(results);
  write_text_atomic(results.dir / "results.md", results_markdown(results, plots));
}

}  // namespace camlab::experiments
