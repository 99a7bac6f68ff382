// A tiny SVG line-plot writer for report pages: axes with "nice" ticks, one polyline and marker
// per point for each series, a legend under the plot. Text only, no script, no fonts to fetch.
//
//   SvgPlot p{.title = "loss", .x_label = "epoch", .y_label = "loss"};
//   p.series = {{.name = "train", .x = {1, 2, 3}, .y = {0.9, 0.5, 0.4}}};
//   std::string svg = svg_line_plot(p);          // "<svg xmlns=... </svg>", inline in HTML
//   p.categories = {"batchnorm", "relu"};         // x = 0, 1 drawn with these tick labels
#pragma once

#include <string>
#include <vector>

namespace camlab::experiments {

struct SvgSeries {
  std::string name;       // legend entry; "" leaves it out of the legend
  std::vector<double> x;  // empty: 1, 2, ..., y.size()
  std::vector<double> y;  // NaN breaks the line
};

struct SvgPlot {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> categories;  // non-empty: x values are indices into these
  std::vector<SvgSeries> series;
  int width = 520;
  int height = 300;  // the plot area and axes; the legend adds rows below
};

std::string svg_line_plot(const SvgPlot& plot);

// Round tick positions covering [low, high]: steps of 1, 2 or 5 × 10^k, about `count` of them.
std::vector<double> nice_ticks(double low, double high, int count = 5);

// &, <, >, " and ' as entities: safe in HTML/SVG text and attribute values.
std::string xml_escape(const std::string& text);

}  // namespace camlab::experiments
