#include "cam/render/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "cam/render/draw.h"
#include "cam/render/font.h"
#include "cam/render/palette.h"
#include "tensor/error.h"

namespace camlab::render {
namespace {

constexpr Rgb kGridColor{225, 225, 225};
constexpr int64_t kTickLength = 4;
constexpr int64_t kLineThickness = 2;

struct Axis {
  double low = 0;
  double high = 1;
  double step = 1;   // between ticks
  int decimals = 0;  // in tick labels
};

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  bool integral = true;  // every value is a whole number
  void add(double v) {
    low = std::min(low, v);
    high = std::max(high, v);
    integral = integral && v == std::floor(v);
  }
  bool empty() const { return low > high; }
};

double x_at(const Series& s, size_t i) { return s.x.empty() ? static_cast<double>(i + 1) : s.x[i]; }

// 1, 2 or 5 x 10^k, the smallest at least `raw`.
double nice_step(double raw) {
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (factor * magnitude >= raw * (1 - 1e-9)) {
      return factor * magnitude;
    }
  }
  return 10.0 * magnitude;
}

// Ticks every `step` from low to high; `round_out` widens the bounds to whole steps.
Axis make_axis(Range range, int64_t max_ticks, bool round_out) {
  if (range.high == range.low) {
    double half = range.low == 0 ? 1.0 : std::abs(range.low) * 0.1;
    range.low -= half;
    range.high += half;
  }
  Axis axis;
  axis.step = nice_step((range.high - range.low) /
                        static_cast<double>(std::max<int64_t>(max_ticks - 1, 1)));
  if (range.integral) {
    axis.step = std::max(axis.step, 1.0);
  }
  axis.low = round_out ? std::floor(range.low / axis.step) * axis.step : range.low;
  axis.high = round_out ? std::ceil(range.high / axis.step) * axis.step : range.high;
  axis.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(axis.step) + 1e-9)));
  return axis;
}

std::vector<double> ticks_of(const Axis& axis) {
  std::vector<double> ticks;
  double first = std::ceil(axis.low / axis.step - 1e-9);
  for (double k = first; k * axis.step <= axis.high + axis.step * 1e-9; k += 1) {
    double value = k * axis.step;
    ticks.push_back(std::abs(value) < axis.step * 1e-9 ? 0.0 : value);  // no "-0.0"
  }
  return ticks;
}

std::string tick_label(double value, const Axis& axis) {
  return fmt::format("{:.{}f}", value, axis.decimals);
}

// Pixel mapping of the plot area [left, left + width) x [top, top + height).
struct Frame {
  int64_t left, top, width, height;
  Axis x_axis, y_axis;
  int64_t px(double x) const {
    double unit = (x - x_axis.low) / (x_axis.high - x_axis.low);
    return left + std::lround(unit * static_cast<double>(width - 1));
  }
  int64_t py(double y) const {
    double unit = (y - y_axis.low) / (y_axis.high - y_axis.low);
    return top + height - 1 - std::lround(unit * static_cast<double>(height - 1));
  }
};

void draw_grid_and_ticks(RgbImage& image, const Frame& f, int64_t text_scale) {
  for (double y : ticks_of(f.y_axis)) {
    int64_t row = f.py(y);
    draw_line(image, f.left, row, f.left + f.width - 1, row, kGridColor);
    draw_line(image, f.left - kTickLength, row, f.left - 1, row, kBlack);
    std::string label = tick_label(y, f.y_axis);
    draw_text(image, f.left - kTickLength - 3 - text_width(label, text_scale),
              row - kCapHeight * text_scale / 2, label, kBlack, text_scale);
  }
  for (double x : ticks_of(f.x_axis)) {
    int64_t col = f.px(x);
    int64_t bottom = f.top + f.height;
    draw_line(image, col, f.top, col, bottom - 1, kGridColor);
    draw_line(image, col, bottom, col, bottom + kTickLength - 1, kBlack);
    std::string label = tick_label(x, f.x_axis);
    draw_text(image, col - text_width(label, text_scale) / 2, bottom + kTickLength + 3, label,
              kBlack, text_scale);
  }
  // The frame: a one-pixel box just outside the plot area.
  draw_line(image, f.left - 1, f.top - 1, f.left + f.width, f.top - 1, kBlack);
  draw_line(image, f.left - 1, f.top + f.height, f.left + f.width, f.top + f.height, kBlack);
  draw_line(image, f.left - 1, f.top - 1, f.left - 1, f.top + f.height, kBlack);
  draw_line(image, f.left + f.width, f.top - 1, f.left + f.width, f.top + f.height, kBlack);
}

void draw_series(RgbImage& image, const Frame& f, const Series& s, Rgb color) {
  bool has_previous = false;
  int64_t previous_x = 0;
  int64_t previous_y = 0;
  for (size_t i = 0; i < s.y.size(); ++i) {
    double x = x_at(s, i);
    if (!std::isfinite(x) || !std::isfinite(s.y[i])) {
      has_previous = false;
      continue;
    }
    int64_t col = f.px(x);
    int64_t row = f.py(s.y[i]);
    bool isolated = !has_previous && (i + 1 == s.y.size() || !std::isfinite(s.y[i + 1]));
    if (has_previous) {
      draw_line(image, previous_x, previous_y, col, row, color, kLineThickness);
    } else if (isolated) {
      fill_rect(image, col - 2, row - 2, 5, 5, color);  // a lone point gets a visible marker
    }
    has_previous = true;
    previous_x = col;
    previous_y = row;
  }
}

Rgb color_of(const std::vector<Series>& series, size_t i) {
  return series[i].color.value_or(category_color(static_cast<int64_t>(i)));
}

// Legend entries "── name" side by side, right-aligned to `right`, ink top at `top`.
void draw_legend(RgbImage& image, const std::vector<Series>& series, int64_t right, int64_t top,
                 int64_t text_scale) {
  int64_t swatch = 8 * text_scale + 4;
  int64_t x = right;
  for (size_t i = series.size(); i-- > 0;) {
    const std::string& name = series[i].name;
    if (name.empty()) {
      continue;
    }
    x -= text_width(name, text_scale);
    draw_text(image, x, top, name, kBlack, text_scale);
    x -= 4 + swatch;
    int64_t mid = top + kCapHeight * text_scale / 2;
    draw_line(image, x, mid, x + swatch - 1, mid, color_of(series, i), kLineThickness);
    x -= 4 * text_scale + 6;
  }
}

int64_t legend_width(const std::vector<Series>& series, int64_t text_scale) {
  int64_t width = 0;
  for (const Series& s : series) {
    if (!s.name.empty()) {
      width += text_width(s.name, text_scale) + 4 + (8 * text_scale + 4) + 4 * text_scale + 6;
    }
  }
  return width;
}

void validate(const std::vector<Series>& series, int64_t width, int64_t height) {
  CAMLAB_CHECK(!series.empty(), "plot_lines: no series to plot");
  CAMLAB_CHECK(width >= 160 && height >= 120,
               "plot_lines: {}x{} is too small for axes and labels; use at least 160x120", width,
               height);
  for (const Series& s : series) {
    CAMLAB_CHECK(s.x.empty() || s.x.size() == s.y.size(),
                 "plot_lines: series '{}' has {} x values but {} y values (leave x empty for "
                 "1, 2, ..., n)",
                 s.name, s.x.size(), s.y.size());
  }
}

}  // namespace

RgbImage plot_lines(const std::vector<Series>& series, std::string_view title,
                    std::string_view x_label, std::string_view y_label, int64_t width,
                    int64_t height) {
  validate(series, width, height);
  Range x_range;
  Range y_range;
  for (const Series& s : series) {
    for (size_t i = 0; i < s.y.size(); ++i) {
      if (std::isfinite(x_at(s, i)) && std::isfinite(s.y[i])) {
        x_range.add(x_at(s, i));
        y_range.add(s.y[i]);
      }
    }
  }
  CAMLAB_CHECK(!x_range.empty(), "plot_lines: '{}' has no finite (x, y) point to plot", title);
  y_range.integral = false;  // metrics are continuous even when they happen to be whole

  int64_t text_scale = (width >= 960 && height >= 600) ? 2 : 1;
  int64_t pad = 6 * text_scale + 4;
  int64_t line = text_height("X", text_scale);
  int64_t title_height = title.empty() ? 0 : text_height(title, text_scale + 1) + pad;
  int64_t y_label_width = text_width(y_label, text_scale);
  int64_t legend = legend_width(series, text_scale);
  int64_t top = pad + title_height + line + pad / 2;  // the y label / legend band

  // The y tick labels need to be known before the left margin; approximate ticks with a first
  // pass over the vertical space.
  int64_t bottom_margin = kTickLength + 3 + line + pad + (x_label.empty() ? 0 : line + pad);
  int64_t plot_height = height - top - bottom_margin;
  Axis y_axis = make_axis(y_range, std::max<int64_t>(2, plot_height / (line * 4)), true);
  int64_t tick_width = 0;
  for (double y : ticks_of(y_axis)) {
    tick_width = std::max(tick_width, text_width(tick_label(y, y_axis), text_scale));
  }
  int64_t left = pad + tick_width + kTickLength + 3;
  int64_t right_margin = pad + 3 * kGlyphAdvance * text_scale;  // half a wide last x label
  int64_t plot_width = width - left - right_margin;
  bool legend_own_band = legend > 0 && y_label_width + legend + pad > plot_width;
  if (legend_own_band) {
    top += line + pad / 2;
    plot_height -= line + pad / 2;
  }
  CAMLAB_CHECK(plot_width >= 40 && plot_height >= 40,
               "plot_lines: {}x{} leaves no room for the plot area after labels; make it larger",
               width, height);
  Axis x_axis = make_axis(
      x_range, std::max<int64_t>(2, plot_width / (kGlyphAdvance * text_scale * 10)), false);
  Frame frame{left, top, plot_width, plot_height, x_axis, y_axis};

  RgbImage image = RgbImage::filled(width, height, kWhite);
  draw_grid_and_ticks(image, frame, text_scale);
  for (size_t i = 0; i < series.size(); ++i) {
    draw_series(image, frame, series[i], color_of(series, i));
  }
  if (!title.empty()) {
    draw_text(image, (width - text_width(title, text_scale + 1)) / 2, pad, title, kBlack,
              text_scale + 1);
  }
  int64_t band_top = top - pad / 2 - line;
  draw_text(image, left, legend_own_band ? band_top - line - pad / 2 : band_top, y_label, kBlack,
            text_scale);
  draw_legend(image, series, left + plot_width, band_top, text_scale);
  int64_t x_label_top = top + plot_height + kTickLength + 3 + line + pad;
  draw_text(image, left + (plot_width - text_width(x_label, text_scale)) / 2, x_label_top, x_label,
            kBlack, text_scale);
  return image;
}

}  // namespace camlab::render
