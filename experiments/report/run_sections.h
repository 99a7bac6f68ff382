// The sections of a run's report page, each from the files the run directory holds (a section
// whose files are missing says so instead of failing).
//
//   std::string body = config_section(run) + metrics_section(run) + curves_section(run) +
//                      gallery_section(run) + localization_section(run);
//   // <section id="config">, "metrics", "curves", "gallery", "localization"
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/report/svg_plot.h"

namespace camlab::experiments {

std::string config_section(const std::filesystem::path& run);        // config.toml as text
std::string metrics_section(const std::filesystem::path& run);       // metrics.json, run_info.json
std::string curves_section(const std::filesystem::path& run);        // metrics.csv as SVG plots
std::string gallery_section(const std::filesystem::path& run);       // explain/**.png inlined
std::string localization_section(const std::filesystem::path& run);  // localize/: md, json, png

// The report's pieces, for the sweep page too.
std::string metrics_tables(const std::filesystem::path& run);
std::string gallery_figures(const std::filesystem::path& run);  // "" when there are none

// metrics.csv as named columns of numbers ("nan" -> NaN); empty when the file is missing.
struct MetricsColumns {
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;  // values[column][row]
  const std::vector<double>* find(const std::string& name) const;
};
MetricsColumns read_metrics_columns(const std::filesystem::path& metrics_csv);

// The curve plots of one metrics.csv: losses together, accuracies together, then the rest
// (the per-epoch timing column left out).
std::vector<SvgPlot> curve_plots(const MetricsColumns& columns, const std::string& title);

}  // namespace camlab::experiments
