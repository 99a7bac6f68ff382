#include "cam/render/figure_grid.h"

#include <algorithm>
#include <numeric>

#include "cam/render/draw.h"
#include "cam/render/font.h"
#include "cam/render/heatmap.h"
#include "cam/render/png_io.h"
#include "tensor/error.h"

namespace camlab::render {

struct FigureGrid::Layout {
  int64_t scale = 1;
  int64_t label_width = 0;
  int64_t header_height = 0;
  std::vector<int64_t> column_widths;
  std::vector<int64_t> row_heights;
  int64_t width = 0;
  int64_t height = 0;
};

namespace {

int64_t sum(const std::vector<int64_t>& values) {
  return std::accumulate(values.begin(), values.end(), int64_t{0});
}

std::string joined(const std::vector<std::string>& titles) {
  std::string text;
  for (const std::string& title : titles) {
    text += (text.empty() ? "'" : ", '") + title + "'";
  }
  return text;
}

}  // namespace

FigureGrid::FigureGrid(std::vector<std::string> column_titles, FigureGridOptions options)
    : titles_(std::move(column_titles)), options_(options) {
  CAMLAB_CHECK(!titles_.empty(), "FigureGrid: needs at least one column title");
  CAMLAB_CHECK(options_.scale >= 0, "FigureGrid: scale {} must be >= 0 (0 = automatic)",
               options_.scale);
  CAMLAB_CHECK(options_.min_cell >= 1, "FigureGrid: min_cell {} must be >= 1", options_.min_cell);
  CAMLAB_CHECK(options_.padding >= 0, "FigureGrid: padding {} must be >= 0", options_.padding);
  CAMLAB_CHECK(options_.text_scale >= 1, "FigureGrid: text_scale {} must be >= 1",
               options_.text_scale);
}

void FigureGrid::add_row(std::string label, std::vector<RgbImage> cells) {
  CAMLAB_CHECK(static_cast<int64_t>(cells.size()) == columns(),
               "FigureGrid::add_row: row '{}' has {} cells but the grid has {} columns ({})", label,
               cells.size(), columns(), joined(titles_));
  for (const RgbImage& cell : cells) {
    CAMLAB_CHECK(cell.width > 0 && cell.height > 0,
                 "FigureGrid::add_row: row '{}' has an empty {}x{} cell", label, cell.width,
                 cell.height);
  }
  rows_.push_back(Row{std::move(label), std::move(cells)});
}

void FigureGrid::add_row(std::string label, const RgbImage& image, const std::vector<Tensor>& maps,
                         Colormap cmap, double alpha) {
  std::vector<RgbImage> cells{image};
  for (const Tensor& map : maps) {
    cells.push_back(overlay(image, map, cmap, alpha));
  }
  add_row(std::move(label), std::move(cells));
}

int64_t FigureGrid::cell_scale() const {
  if (options_.scale > 0) {
    return options_.scale;
  }
  int64_t longest = 0;
  for (const Row& row : rows_) {
    for (const RgbImage& cell : row.cells) {
      longest = std::max({longest, cell.width, cell.height});
    }
  }
  if (longest == 0) {
    return 1;
  }
  return std::max<int64_t>(1, (options_.min_cell + longest - 1) / longest);
}

FigureGrid::Layout FigureGrid::compute_layout() const {
  Layout layout;
  layout.scale = cell_scale();
  int64_t text_scale = options_.text_scale;
  for (const std::string& title : titles_) {
    layout.column_widths.push_back(text_width(title, text_scale));
    layout.header_height = std::max(layout.header_height, text_height(title, text_scale));
  }
  for (const Row& row : rows_) {
    layout.label_width = std::max(layout.label_width, text_width(row.label, text_scale));
    int64_t row_height = text_height(row.label, text_scale);
    for (size_t j = 0; j < row.cells.size(); ++j) {
      layout.column_widths[j] =
          std::max(layout.column_widths[j], row.cells[j].width * layout.scale);
      row_height = std::max(row_height, row.cells[j].height * layout.scale);
    }
    layout.row_heights.push_back(row_height);
  }
  int64_t pad = options_.padding;
  layout.width = pad + (layout.label_width > 0 ? layout.label_width + pad : 0) +
                 sum(layout.column_widths) + (columns() - 1) * pad + pad;
  layout.height = pad + (layout.header_height > 0 ? layout.header_height + pad : 0) +
                  sum(layout.row_heights) + (rows() - 1) * pad + pad;
  return layout;
}

RgbImage FigureGrid::render() const {
  CAMLAB_CHECK(!rows_.empty(), "FigureGrid::render: the grid has no rows; call add_row first");
  Layout layout = compute_layout();
  int64_t pad = options_.padding;
  int64_t text_scale = options_.text_scale;
  RgbImage canvas = RgbImage::filled(layout.width, layout.height, options_.background);

  int64_t columns_x = pad + (layout.label_width > 0 ? layout.label_width + pad : 0);
  std::vector<int64_t> column_x;  // left edge of each column
  for (int64_t j = 0, x = columns_x; j < columns(); ++j) {
    column_x.push_back(x);
    x += layout.column_widths[j] + pad;
  }
  for (int64_t j = 0; j < columns(); ++j) {
    const std::string& title = titles_[j];
    int64_t x = column_x[j] + (layout.column_widths[j] - text_width(title, text_scale)) / 2;
    int64_t y = pad + layout.header_height - text_height(title, text_scale);
    draw_text(canvas, x, y, title, options_.text_color, text_scale);
  }

  int64_t y = pad + (layout.header_height > 0 ? layout.header_height + pad : 0);
  for (int64_t i = 0; i < rows(); ++i) {
    const Row& row = rows_[i];
    int64_t row_height = layout.row_heights[i];
    draw_text(canvas, pad, y + (row_height - text_height(row.label, text_scale)) / 2, row.label,
              options_.text_color, text_scale);
    for (int64_t j = 0; j < columns(); ++j) {
      RgbImage cell =
          layout.scale == 1 ? row.cells[j] : upscale(row.cells[j], layout.scale, options_.resample);
      paste(canvas, cell, column_x[j] + (layout.column_widths[j] - cell.width) / 2,
            y + (row_height - cell.height) / 2);
    }
    y += row_height + pad;
  }
  return canvas;
}

void FigureGrid::write(const std::filesystem::path& path) const { write_png(path, render()); }

}  // namespace camlab::render
