// Tiles images into a grid, e.g. the 32 filters of conv1 or the activations of one layer.
//
//   std::vector<RgbImage> filters = ...;                  // 32 images, any sizes
//   RgbImage sheet = tile(filters, 8, 2);                 // 8 columns x 4 rows, 2 px gaps
//   write_png("runs/x/conv1_filters.png", sheet);
#pragma once

#include <cstdint>
#include <vector>

#include "cam/render/image.h"

namespace camlab::render {

// Cells are as large as the largest image; images sit at their cell's top-left, in row-major
// order. columns is capped at the number of images. Size:
//   width  = columns * cell_width + (columns + 1) * padding
//   height = rows * cell_height + (rows + 1) * padding,   rows = ceil(count / columns)
RgbImage tile(const std::vector<RgbImage>& images, int64_t columns, int64_t padding,
              Rgb background = kWhite);

}  // namespace camlab::render
