// Small 8-bit images for figures, and their resizing.
//
//   RgbImage canvas = RgbImage::filled(64, 32, kWhite);
//   canvas.set_pixel(3, 5, {255, 0, 0});
//   Rgb c = canvas.pixel(3, 5);                                      // {255, 0, 0}
//   RgbImage big = upscale(canvas, 4, Resample::Nearest);           // 256 x 128
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace camlab::render {

using Rgb = std::array<uint8_t, 3>;

inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kBlack{0, 0, 0};

struct RgbImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels;  // [H, W, 3], row-major

  static RgbImage filled(int64_t width, int64_t height, Rgb color);

  bool contains(int64_t x, int64_t y) const { return x >= 0 && y >= 0 && x < width && y < height; }
  Rgb pixel(int64_t x, int64_t y) const;            // an Error outside the image
  void set_pixel(int64_t x, int64_t y, Rgb color);  // points outside are clipped (ignored)
};

struct GrayImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels;  // [H, W], row-major
};

enum class Resample { Nearest, Bilinear };

// Resizes to width x height. Bilinear samples at pixel centres (src = (dst + 0.5) / scale - 0.5,
// clamped at the borders), as PyTorch's interpolate(mode="bilinear", align_corners=False).
RgbImage resize(const RgbImage& image, int64_t width, int64_t height, Resample mode);
// Integer upscaling, e.g. 28x28 Fashion-MNIST items to readable 112x112 cells.
RgbImage upscale(const RgbImage& image, int64_t factor, Resample mode);

}  // namespace camlab::render
