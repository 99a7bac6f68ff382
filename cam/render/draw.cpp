#include "cam/render/draw.h"

#include <algorithm>
#include <cstdlib>

namespace camlab::render {

void fill_rect(RgbImage& image, int64_t x, int64_t y, int64_t width, int64_t height, Rgb color) {
  int64_t x_begin = std::max<int64_t>(x, 0);
  int64_t y_begin = std::max<int64_t>(y, 0);
  int64_t x_end = std::min(x + width, image.width);
  int64_t y_end = std::min(y + height, image.height);
  for (int64_t row = y_begin; row < y_end; ++row) {
    for (int64_t col = x_begin; col < x_end; ++col) {
      std::copy_n(color.begin(), 3, &image.pixels[(row * image.width + col) * 3]);
    }
  }
}

void draw_line(RgbImage& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, Rgb color,
               int64_t thickness) {
  // The brush square is centred on the line: thickness 2 covers the point and the one below-right.
  int64_t offset = (thickness - 1) / 2;
  int64_t dx = std::abs(x1 - x0);
  int64_t dy = -std::abs(y1 - y0);
  int64_t step_x = x0 < x1 ? 1 : -1;
  int64_t step_y = y0 < y1 ? 1 : -1;
  int64_t error = dx + dy;  // Bresenham's all-octant form: error = dx - |dy| tracked incrementally
  while (true) {
    fill_rect(image, x0 - offset, y0 - offset, thickness, thickness, color);
    if (x0 == x1 && y0 == y1) {
      break;
    }
    int64_t twice = 2 * error;
    if (twice >= dy) {
      error += dy;
      x0 += step_x;
    }
    if (twice <= dx) {
      error += dx;
      y0 += step_y;
    }
  }
}

void paste(RgbImage& canvas, const RgbImage& source, int64_t x, int64_t y) {
  for (int64_t row = 0; row < source.height; ++row) {
    int64_t canvas_y = y + row;
    if (canvas_y < 0 || canvas_y >= canvas.height) {
      continue;
    }
    int64_t col_begin = std::max<int64_t>(0, -x);
    int64_t col_end = std::min(source.width, canvas.width - x);
    if (col_begin >= col_end) {
      return;
    }
    std::copy_n(&source.pixels[(row * source.width + col_begin) * 3], (col_end - col_begin) * 3,
                &canvas.pixels[(canvas_y * canvas.width + x + col_begin) * 3]);
  }
}

}  // namespace camlab::render
