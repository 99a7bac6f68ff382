#include "experiments/report/report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "experiments/report/html.h"
#include "experiments/report/run_sections.h"
#include "experiments/report/svg_plot.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/run/run_dir.h"
#include "experiments/sweep/sweep_plan.h"
#include "experiments/sweep/sweep_results.h"

namespace camlab::experiments {
namespace fs = std::filesystem;
namespace {

// The per-epoch columns worth comparing across runs, one chart each.
const std::vector<std::string> kCompareColumns = {"test_accuracy", "test_loss", "train_loss"};

std::string metric_text(const SweepRunResult& run, const std::string& metric) {
  const auto found = run.metrics.find(metric);
  if (found == run.metrics.end()) return "";
  if (std::isnan(found->second)) return "nan";
  if (metric.find("accuracy") != std::string::npos && found->second >= 0 && found->second <= 1) {
    return fmt::format("{:.2f}%", 100 * found->second);
  }
  return fmt::format("{:.6g}", found->second);
}

std::string comparison_table(const SweepResults& results) {
  std::string out = "<table id=\"sweep-table\">\n<tr><th>rank</th><th>run</th>";
  for (const std::string& key : results.keys) out += "<th>" + xml_escape(key) + "</th>";
  for (const std::string& metric : results.metrics) out += "<th>" + xml_escape(metric) + "</th>";
  out += "<th>status</th></tr>\n";
  for (size_t r = 0; r < results.runs.size(); ++r) {
    const SweepRunResult& run = results.runs[r];
    out += r == 0 && !results.rank_metric.empty() ? "<tr class=\"best\">" : "<tr>";
    out += fmt::format("<td class=\"num\">{}</td><td>{}</td>", r + 1, xml_escape(run.label));
    for (const std::string& value : run.values) {
      out += "<td>" + xml_escape(display_value(value)) + "</td>";
    }
    for (const std::string& metric : results.metrics) {
      out += "<td class=\"num\">" + xml_escape(metric_text(run, metric)) + "</td>";
    }
    out += "<td>" + xml_escape(run.status) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string sweep_plots(const SweepResults& results) {
  std::string out;
  for (const MetricPlot& plot : metric_plots(results)) {
    SvgPlot svg{.title = plot.metric + " vs " + plot.key,
                .x_label = plot.key,
                .y_label = plot.metric,
                .categories = plot.categories};
    for (const PlotSeries& line : plot.series) {
      svg.series.push_back({.name = line.name, .x = line.x, .y = line.y});
    }
    if (!svg.series.empty()) out += svg_line_plot(svg);
  }
  return out;
}

std::string sweep_section(const SweepResults& results) {
  std::string body = results.rank_metric.empty()
                         ? "<p class=\"note\">No run has finished yet.</p>\n"
                         : fmt::format("<p>{} runs over {}, ranked by {} ({} is better).</p>\n",
                                       results.runs.size(),
                                       xml_escape(fmt::format("{}", fmt::join(results.keys, ", "))),
                                       xml_escape(results.rank_metric),
                                       results.higher_is_better ? "higher" : "lower");
  body += "<div class=\"wide\">\n" + comparison_table(results) + "</div>\n";
  const std::string plots = sweep_plots(results);
  if (!plots.empty())
    body +=
        "<h3>Metrics against each swept value</h3>\n<div class=\"plots\">\n" + plots + "</div>\n";
  return html_section("sweep", "Sweep comparison", body);
}

std::string sweep_curves(const SweepResults& results) {
  std::string body;
  for (const std::string& column : kCompareColumns) {
    SvgPlot plot{.title = column + " per epoch", .x_label = "epoch", .y_label = column};
    for (const SweepRunResult& run : results.runs) {
      const MetricsColumns columns = read_metrics_columns(run.dir / "metrics.csv");
      const std::vector<double>* y = columns.find(column);
      if (y == nullptr) continue;
      const std::vector<double>* x = columns.find("epoch");
      plot.series.push_back({.name = run.label, .x = x ? *x : std::vector<double>{}, .y = *y});
    }
    if (!plot.series.empty()) body += svg_line_plot(plot);
  }
  if (body.empty()) body = "<p class=\"note\">no metrics.csv in any run yet</p>\n";
  return html_section("curves", "Curves of every run",
                      "<div class=\"plots\">\n" + body + "</div>\n");
}

std::string sweep_gallery(const SweepResults& results) {
  std::string body;
  for (const SweepRunResult& run : results.runs) {
    const std::string figures = gallery_figures(run.dir);
    if (!figures.empty()) body += "<h3>" + xml_escape(run.label) + "</h3>\n" + figures;
  }
  if (body.empty()) {
    body = fmt::format(
        "<p class=\"note\">no explanation figures in any run — run `camlab explain {}/RUN` "
        "first</p>\n",
        xml_escape(results.dir.string()));
  }
  return html_section("gallery", "Explanations", body);
}

std::string sweep_runs(const SweepResults& results) {
  std::string body;
  for (const SweepRunResult& run : results.runs) {
    body += "<details><summary>" + xml_escape(run.label) + " (" + xml_escape(run.status) +
            ")</summary>\n" + metrics_tables(run.dir) + "</details>\n";
  }
  return html_section("runs", "Runs", body);
}

std::string run_subtitle(const fs::path& run) {
  std::string subtitle = "run " + run.string();
  try {
    const nlohmann::json info = read_json(run / "run_info.json");
    subtitle += fmt::format(" — {}, camlab {} ({}), {} on {}", info.value("status", "?"),
                            info.value("camlab_version", "?"), info.value("git", "?"),
                            info.value("start_time", "?"), info.value("device", "?"));
  } catch (const std::exception&) {
  }
  return subtitle;
}

}  // namespace

std::string run_report_html(const fs::path& run) {
  const std::string body = config_section(run) + metrics_section(run) + curves_section(run) +
                           gallery_section(run) + localization_section(run);
  return html_page(fs::absolute(run).lexically_normal().filename().string(), run_subtitle(run),
                   body);
}

std::string sweep_report_html(const fs::path& sweep) {
  const SweepResults results = collect_results(sweep);
  std::string body = sweep_section(results) + config_section(sweep);
  if (!results.runs.empty() && !results.rank_metric.empty()) {
    const SweepRunResult& best = results.runs.front();
    body += html_section("metrics", "Best run: " + best.label, metrics_tables(best.dir));
  } else {
    body += html_section("metrics", "Metrics", "<p class=\"note\">no finished run yet</p>\n");
  }
  body += sweep_curves(results) + sweep_gallery(results) + sweep_runs(results);
  return html_page(results.name + " sweep",
                   fmt::format("sweep {} — {} runs", sweep.string(), results.runs.size()), body);
}

fs::path write_report(const fs::path& dir, const fs::path& out) {
  const fs::path target = out.empty() ? dir / "report.html" : out;
  std::string html;
  if (is_sweep_dir(dir)) {
    html = sweep_report_html(dir);
  } else {
    CAMLAB_CHECK(fs::is_directory(dir) &&
                     (fs::exists(dir / "run_info.json") || fs::exists(dir / "metrics.csv") ||
                      fs::exists(dir / "config.toml")),
                 "report: '{}' is neither a run directory (run_info.json, metrics.csv) nor a sweep "
                 "folder (sweep.json)",
                 dir.string());
    html = run_report_html(dir);
  }
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  write_text_atomic(target, html);
  return target;
}

}  // namespace camlab::experiments
