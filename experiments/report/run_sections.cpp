#include "experiments/report/run_sections.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "experiments/report/html.h"
#include "experiments/report/markdown.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace fs = std::filesystem;
namespace {

std::string note(const std::string& text) {
  return "<p class=\"note\">" + xml_escape(text) + "</p>\n";
}

std::string json_cell(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const nlohmann::json& item : value) out += (out.empty() ? "" : " ") + json_cell(item);
    return out;
  }
  if (value.is_number_float()) return fmt::format("{:.6g}", value.get<double>());
  return value.dump();
}

std::string json_table(const fs::path& file, const std::vector<std::string>& skip = {}) {
  nlohmann::json json;
  try {
    json = read_json(file);
  } catch (const Error& e) {
    return note(e.what());
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [key, value] : json.items()) {
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    std::string cell = json_cell(value);
    if (key.find("accuracy") != std::string::npos && value.is_number() &&
        value.get<double>() >= 0 && value.get<double>() <= 1) {
      cell = fmt::format("{:.2f}%", 100 * value.get<double>());
    }
    rows.push_back({key, cell});
  }
  return html_table({"key", "value"}, rows);
}

// PNG files under `dir`, recursively, in path order.
std::vector<fs::path> png_files(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".png")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string figures(const std::vector<fs::path>& files, const fs::path& base) {
  std::string out;
  for (const fs::path& file : files) {
    const std::string caption = fs::relative(file, base).generic_string();
    out += "<figure>" + html_image(file, caption) + "<figcaption>" + xml_escape(caption) +
           "</figcaption></figure>\n";
  }
  return out;
}

double parse_cell(const std::string& cell) {
  if (cell.empty() || cell == "nan") return NAN;
  try {
    return std::stod(cell);
  } catch (const std::exception&) {
    return NAN;
  }
}

std::string chart_name(const std::string& column) {
  if (column.ends_with("loss")) return "loss";
  if (column.ends_with("accuracy")) return "accuracy";
  return column;
}

}  // namespace

const std::vector<double>* MetricsColumns::find(const std::string& name) const {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return &values[i];
  }
  return nullptr;
}

MetricsColumns read_metrics_columns(const fs::path& metrics_csv) {
  MetricsColumns columns;
  if (!fs::exists(metrics_csv)) return columns;
  const std::vector<std::vector<std::string>> rows = parse_csv(read_text(metrics_csv));
  if (rows.empty()) return columns;
  columns.names = rows.front();
  columns.values.assign(columns.names.size(), {});
  for (size_t r = 1; r < rows.size(); ++r) {
    for (size_t c = 0; c < columns.names.size(); ++c) {
      columns.values[c].push_back(c < rows[r].size() ? parse_cell(rows[r][c]) : NAN);
    }
  }
  return columns;
}

std::vector<SvgPlot> curve_plots(const MetricsColumns& columns, const std::string& title) {
  std::vector<SvgPlot> plots;
  const std::vector<double>* epochs = columns.find("epoch");
  for (size_t c = 0; c < columns.names.size(); ++c) {
    const std::string& name = columns.names[c];
    if (name == "epoch" || name == "seconds") continue;
    const std::string chart = chart_name(name);
    auto plot = std::find_if(plots.begin(), plots.end(),
                             [&](const SvgPlot& p) { return p.y_label == chart; });
    if (plot == plots.end()) {
      plots.push_back(
          {.title = fmt::format("{}: {}", title, chart), .x_label = "epoch", .y_label = chart});
      plot = plots.end() - 1;
    }
    plot->series.push_back({.name = name,
                            .x = epochs != nullptr ? *epochs : std::vector<double>{},
                            .y = columns.values[c]});
  }
  return plots;
}

std::string config_section(const fs::path& run) {
  const fs::path file = run / "config.toml";
  const std::string body = fs::exists(file) ? "<pre>" + xml_escape(read_text(file)) + "</pre>\n"
                                            : note("no config.toml in this run directory");
  return html_section("config", "Config", body);
}

std::string metrics_tables(const fs::path& run) {
  std::string body;
  if (fs::exists(run / "metrics.json")) {
    body += "<h3>Final metrics</h3>\n" + json_table(run / "metrics.json");
  } else {
    body += note("no metrics.json yet (the run has not finished)");
  }
  if (fs::exists(run / "run_info.json")) {
    body += "<h3>Setup</h3>\n" + json_table(run / "run_info.json");
  }
  return body;
}

std::string metrics_section(const fs::path& run) {
  return html_section("metrics", "Metrics", metrics_tables(run));
}

std::string curves_section(const fs::path& run) {
  const MetricsColumns columns = read_metrics_columns(run / "metrics.csv");
  std::string body;
  for (const SvgPlot& plot : curve_plots(columns, run.filename().string())) {
    body += svg_line_plot(plot);
  }
  if (body.empty()) return html_section("curves", "Curves", note("no metrics.csv rows yet"));
  return html_section("curves", "Curves", "<div class=\"plots\">\n" + body + "</div>\n");
}

std::string gallery_figures(const fs::path& run) {
  return figures(png_files(run / "explain"), run);
}

std::string gallery_section(const fs::path& run) {
  std::string body = gallery_figures(run);
  if (body.empty()) {
    body =
        note(fmt::format("no explanation figures — run `camlab explain {}` first", run.string()));
  }
  return html_section("gallery", "Explanations", body);
}

std::string localization_section(const fs::path& run) {
  const fs::path dir = run / "localize";
  std::string body;
  if (fs::is_directory(dir)) {
    std::vector<fs::path> markdown;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".md") markdown.push_back(entry.path());
    }
    std::sort(markdown.begin(), markdown.end());
    for (const fs::path& file : markdown) body += markdown_to_html(read_text(file));
    if (fs::exists(dir / "metrics.json")) body += json_table(dir / "metrics.json");
    body += figures(png_files(dir), run);
  }
  if (fs::exists(run / "metrics.json")) {
    // A localization written into the run's own metrics.json (keys mentioning it).
    std::vector<std::vector<std::string>> rows;
    try {
      const nlohmann::json metrics = read_json(run / "metrics.json");
      for (const auto& [key, value] : metrics.items()) {
        if (key.find("loc") != std::string::npos || key.find("iou") != std::string::npos) {
          rows.push_back({key, json_cell(value)});
        }
      }
    } catch (const Error&) {
    }
    if (!rows.empty()) body += html_table({"key", "value"}, rows);
  }
  if (body.empty()) {
    body = note(fmt::format("no localization results (no {}/)", dir.filename().string()));
  }
  return html_section("localization", "Localization", body);
}

}  // namespace camlab::experiments
