// Line plots for training curves (metrics.csv -> curves.png): axes, labelled ticks, legend.
//
//   std::vector<Series> curves = {{.name = "train loss", .y = train_loss},   // x = 1, 2, ...
//                                 {.name = "val loss", .y = val_loss}};
//   RgbImage png = plot_lines(curves, "fmnist-gapnet", "epoch", "loss", 640, 400);
//   write_png("runs/fmnist/curves.png", png);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cam/render/image.h"

namespace camlab::render {

struct Series {
  std::string name;       // legend entry; series with an empty name are not listed
  std::vector<double> x;  // empty: 1, 2, ..., y.size() (epochs)
  std::vector<double> y;  // NaN leaves a gap
  std::optional<Rgb> color = std::nullopt;  // default: the Tableau 10 colour of its index
};

// A width x height plot of every series on shared axes. The y axis spans the data rounded out to
// "nice" ticks (1, 2 or 5 x 10^k); the x axis spans the data exactly, with integer ticks when
// every x is an integer. The y label sits above the y axis, the legend above the plot's right
// edge.
RgbImage plot_lines(const std::vector<Series>& series, std::string_view title,
                    std::string_view x_label, std::string_view y_label, int64_t width = 640,
                    int64_t height = 400);

}  // namespace camlab::render
