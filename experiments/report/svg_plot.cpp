#include "experiments/report/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "cam/render/palette.h"

namespace camlab::experiments {
namespace {

constexpr int kLeft = 64, kRight = 16, kTop = 32, kBottom = 44, kLegendRow = 18;

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  }
  bool empty() const { return low > high; }
};

std::vector<double> xs_of(const SvgSeries& s) {
  if (!s.x.empty()) return s.x;
  std::vector<double> x(s.y.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i + 1);
  return x;
}

std::string tick_text(double v) {
  if (std::abs(v) < 1e-12) return "0";
  return fmt::format("{:.4g}", v);
}

bool all_integers(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(),
                     [](double v) { return std::isfinite(v) && v == std::round(v); });
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double low, double high, int count) {
  if (!(high > low)) return {low};
  const double raw = (high - low) / std::max(count, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  // The candidate nearest the raw step on a log scale: 6 -> 5, 0.3 -> 0.2, 8 -> 10.
  double step = magnitude;
  for (const double m : {2.0, 5.0, 10.0}) {
    if (std::abs(std::log(m * magnitude / raw)) < std::abs(std::log(step / raw))) {
      step = m * magnitude;
    }
  }
  std::vector<double> ticks;
  for (double t = std::ceil(low / step - 1e-9) * step; t <= high + step * 1e-9; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string svg_line_plot(const SvgPlot& plot) {
  Range xr, yr;
  std::vector<std::vector<double>> xs;
  for (const SvgSeries& s : plot.series) {
    xs.push_back(xs_of(s));
    for (size_t i = 0; i < s.y.size() && i < xs.back().size(); ++i) {
      if (std::isfinite(s.y[i])) xr.add(xs.back()[i]), yr.add(s.y[i]);
    }
  }
  const bool categorical = !plot.categories.empty();
  if (categorical) {
    xr.low = -0.5;
    xr.high = static_cast<double>(plot.categories.size()) - 0.5;
  }
  if (xr.empty()) xr = {0, 1};
  if (yr.empty()) yr = {0, 1};
  if (xr.high == xr.low) xr.low -= 0.5, xr.high += 0.5;
  if (yr.high == yr.low) {
    const double pad = std::abs(yr.low) > 0 ? std::abs(yr.low) * 0.05 : 0.5;
    yr.low -= pad, yr.high += pad;
  }
  // The y axis is rounded out to whole ticks, so the extreme values sit on grid lines.
  std::vector<double> yticks = nice_ticks(yr.low, yr.high);
  if (yticks.size() >= 2) {
    const double step = yticks[1] - yticks[0];
    yr.low = std::floor(yr.low / step + 1e-9) * step;
    yr.high = std::ceil(yr.high / step - 1e-9) * step;
    yticks = nice_ticks(yr.low, yr.high);
  }
  std::vector<double> xticks;
  if (categorical) {
    for (size_t i = 0; i < plot.categories.size(); ++i) xticks.push_back(static_cast<double>(i));
  } else {
    xticks = nice_ticks(xr.low, xr.high);
    std::vector<double> all_x;
    for (const auto& x : xs) all_x.insert(all_x.end(), x.begin(), x.end());
    // A handful of distinct integer x values (epochs, widths): tick exactly at them.
    std::sort(all_x.begin(), all_x.end());
    all_x.erase(std::unique(all_x.begin(), all_x.end()), all_x.end());
    if (all_integers(all_x) && all_x.size() <= 8) xticks = all_x;
  }

  const int w = plot.width, h = plot.height;
  const double pw = w - kLeft - kRight, ph = h - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - xr.low) / (xr.high - xr.low) * pw; };
  auto py = [&](double y) { return kTop + (yr.high - y) / (yr.high - yr.low) * ph; };

  size_t legend_rows = 0;
  for (const SvgSeries& s : plot.series) legend_rows += s.name.empty() ? 0 : 1;
  const int total_h = h + static_cast<int>(legend_rows) * kLegendRow + (legend_rows ? 6 : 0);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n"
      "<title>{2}</title>\n<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{3}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{2}</text>\n",
      w, total_h, xml_escape(plot.title), kLeft);
  for (const double t : yticks) {
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#e5e5e5\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        kLeft, kLeft + pw, py(t), kLeft - 6, py(t) + 4, tick_text(t));
  }
  for (size_t i = 0; i < xticks.size(); ++i) {
    const double t = xticks[i];
    if (t < xr.low - 1e-9 || t > xr.high + 1e-9) continue;
    const std::string label = categorical ? xml_escape(plot.categories[i]) : tick_text(t);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#999\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        px(t), kTop + ph, kTop + ph + 4, kTop + ph + 16, label);
  }
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" stroke=\"#666\"/>\n"
      "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n"
      "<text x=\"{}\" y=\"{}\" fill=\"#444\">{}</text>\n",
      kLeft, kTop, pw, ph, kLeft + pw / 2, h - 8, xml_escape(plot.x_label), 4, kTop - 6,
      xml_escape(plot.y_label));

  size_t row = 0;
  for (size_t s = 0; s < plot.series.size(); ++s) {
    const SvgSeries& series = plot.series[s];
    const std::string color = render::hex_color(render::category_color(static_cast<int64_t>(s)));
    std::string points;
    auto flush = [&] {
      if (!points.empty()) {
        svg += fmt::format(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" points=\"{}\"/>\n", color,
            points);
      }
      points.clear();
    };
    for (size_t i = 0; i < series.y.size() && i < xs[s].size(); ++i) {
      const double x = xs[s][i], y = series.y[i];
      if (!std::isfinite(y) || !std::isfinite(x)) {
        flush();
        continue;
      }
      points += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
    }
    flush();
    for (size_t i = 0; i < series.y.size() && i < xs[s].size(); ++i) {
      const double x = xs[s][i], y = series.y[i];
      if (!std::isfinite(y) || !std::isfinite(x)) continue;
      const std::string x_text = categorical && x >= 0 && x < plot.categories.size()
                                     ? plot.categories[static_cast<size_t>(x)]
                                     : tick_text(x);
      svg += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{}{}: {:.6g}</title>"
          "</circle>\n",
          px(x), py(y), color, series.name.empty() ? "" : xml_escape(series.name) + " — ",
          xml_escape(x_text), y);
    }
    if (series.name.empty()) continue;
    const double ly = h + 6 + static_cast<double>(row++) * kLegendRow + kLegendRow / 2.0;
    svg += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" "
        "stroke-width=\"3\"/><text x=\"{4}\" y=\"{5:.1f}\">{6}</text>\n",
        kLeft, kLeft + 20, ly, color, kLeft + 26, ly + 4, xml_escape(series.name));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace camlab::experiments
