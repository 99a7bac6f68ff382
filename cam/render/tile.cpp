#include "cam/render/tile.h"

#include <algorithm>

#include "cam/render/draw.h"
#include "tensor/error.h"

namespace camlab::render {

RgbImage tile(const std::vector<RgbImage>& images, int64_t columns, int64_t padding,
              Rgb background) {
  CAMLAB_CHECK(!images.empty(), "tile: no images to tile");
  CAMLAB_CHECK(columns >= 1, "tile: columns {} must be >= 1", columns);
  CAMLAB_CHECK(padding >= 0, "tile: padding {} must be >= 0", padding);
  int64_t count = static_cast<int64_t>(images.size());
  columns = std::min(columns, count);
  int64_t rows = (count + columns - 1) / columns;
  int64_t cell_width = 0;
  int64_t cell_height = 0;
  for (const RgbImage& image : images) {
    cell_width = std::max(cell_width, image.width);
    cell_height = std::max(cell_height, image.height);
  }
  RgbImage sheet = RgbImage::filled(columns * cell_width + (columns + 1) * padding,
                                    rows * cell_height + (rows + 1) * padding, background);
  for (int64_t i = 0; i < count; ++i) {
    int64_t x = padding + (i % columns) * (cell_width + padding);
    int64_t y = padding + (i / columns) * (cell_height + padding);
    paste(sheet, images[i], x, y);
  }
  return sheet;
}

}  // namespace camlab::render
