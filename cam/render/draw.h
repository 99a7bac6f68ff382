// Drawing primitives on an RgbImage; everything is clipped to the image.
//
//   RgbImage canvas = RgbImage::filled(100, 60, kWhite);
//   fill_rect(canvas, 10, 10, 20, 5, {200, 200, 200});
//   draw_line(canvas, 0, 59, 99, 0, {31, 119, 180}, 2);
//   paste(canvas, thumbnail, 70, 30);
#pragma once

#include <cstdint>

#include "cam/render/image.h"

namespace camlab::render {

void fill_rect(RgbImage& image, int64_t x, int64_t y, int64_t width, int64_t height, Rgb color);

// Bresenham's line from (x0, y0) to (x1, y1), both ends included, stamped with a
// thickness x thickness square.
void draw_line(RgbImage& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, Rgb color,
               int64_t thickness = 1);

// Copies `source` with its top-left corner at (x, y).
void paste(RgbImage& canvas, const RgbImage& source, int64_t x, int64_t y);

}  // namespace camlab::render
