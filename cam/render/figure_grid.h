// A labelled figure grid: a header of column titles (method names), then one row per example,
// each row an image and its heatmaps, with a label (class, probability) on the left.
//
//   FigureGrid grid({"input", "CAM", "Grad-CAM"});
//   RgbImage input = to_rgb(x);                                   // x: [1, 28, 28]
//   grid.add_row("Sneaker 0.97", input, {cam, gradcam}, Colormap::Jet, 0.5);
//   grid.add_row("true: Shirt\npred: T-shirt 0.81", {input, heat1, heat2});
//   grid.write("runs/fmnist/explain.png");
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cam/render/colormap.h"
#include "cam/render/image.h"
#include "tensor/tensor.h"

namespace camlab::render {

struct FigureGridOptions {
  int64_t scale = 0;       // integer upscaling of every cell; 0 = the smallest reaching min_cell
  int64_t min_cell = 112;  // px the longest cell side reaches when scale = 0
  Resample resample = Resample::Nearest;
  int64_t padding = 8;     // px around the figure and between cells
  int64_t text_scale = 2;  // font pixels per glyph pixel (2: 10x14 glyphs)
  Rgb background = kWhite;
  Rgb text_color = kBlack;
};

// Layout, with P = padding, s = the cell scale, L = widest row label (0: no label column) and
// T = tallest title (0: no header):
//   column j width  = max(s * widest cell in j, text_width(title j))
//   row i height    = max(s * tallest cell in i, text_height(label i))
//   width  = P + (L > 0 ? L + P : 0) + sum(column widths) + (columns - 1) * P + P
//   height = P + (T > 0 ? T + P : 0) + sum(row heights) + (rows - 1) * P + P
// Cells are centred in their slot, titles centred over their column, labels left-aligned and
// centred vertically. Labels may hold '\n'.
class FigureGrid {
 public:
  explicit FigureGrid(std::vector<std::string> column_titles, FigureGridOptions options = {});

  // One cell per column title.
  void add_row(std::string label, std::vector<RgbImage> cells);
  // The image, then overlay(image, map, cmap, alpha) for each map [H, W] in [0, 1].
  void add_row(std::string label, const RgbImage& image, const std::vector<Tensor>& maps,
               Colormap cmap, double alpha = 0.5);

  int64_t columns() const { return static_cast<int64_t>(titles_.size()); }
  int64_t rows() const { return static_cast<int64_t>(rows_.size()); }
  int64_t cell_scale() const;  // the factor render() upscales cells by

  RgbImage render() const;
  void write(const std::filesystem::path& path) const;

 private:
  struct Row {
    std::string label;
    std::vector<RgbImage> cells;
  };
  struct Layout;
  Layout compute_layout() const;

  std::vector<std::string> titles_;
  FigureGridOptions options_;
  std::vector<Row> rows_;
};

}  // namespace camlab::render
