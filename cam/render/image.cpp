#include "cam/render/image.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"

namespace camlab::render {
namespace {

// Where destination pixel `dst` samples the source axis: its centre mapped back to source
// coordinates, clamped so the border pixels repeat.
double source_coordinate(int64_t dst, int64_t src_size, int64_t dst_size) {
  double scale = static_cast<double>(dst_size) / static_cast<double>(src_size);
  double src = (static_cast<double>(dst) + 0.5) / scale - 0.5;
  return std::clamp(src, 0.0, static_cast<double>(src_size - 1));
}

void resize_nearest(const RgbImage& src, RgbImage& dst) {
  for (int64_t y = 0; y < dst.height; ++y) {
    int64_t sy = y * src.height / dst.height;
    for (int64_t x = 0; x < dst.width; ++x) {
      int64_t sx = x * src.width / dst.width;
      std::copy_n(&src.pixels[(sy * src.width + sx) * 3], 3, &dst.pixels[(y * dst.width + x) * 3]);
    }
  }
}

void resize_bilinear(const RgbImage& src, RgbImage& dst) {
  for (int64_t y = 0; y < dst.height; ++y) {
    double fy = source_coordinate(y, src.height, dst.height);
    int64_t y0 = static_cast<int64_t>(fy);
    int64_t y1 = std::min(y0 + 1, src.height - 1);
    double wy = fy - static_cast<double>(y0);
    for (int64_t x = 0; x < dst.width; ++x) {
      double fx = source_coordinate(x, src.width, dst.width);
      int64_t x0 = static_cast<int64_t>(fx);
      int64_t x1 = std::min(x0 + 1, src.width - 1);
      double wx = fx - static_cast<double>(x0);
      for (int64_t c = 0; c < 3; ++c) {
        auto at = [&](int64_t sy, int64_t sx) {
          return static_cast<double>(src.pixels[(sy * src.width + sx) * 3 + c]);
        };
        double top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
        double bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
        dst.pixels[(y * dst.width + x) * 3 + c] =
            static_cast<uint8_t>(std::lround(top * (1 - wy) + bottom * wy));
      }
    }
  }
}

}  // namespace

RgbImage RgbImage::filled(int64_t width, int64_t height, Rgb color) {
  CAMLAB_CHECK(width >= 0 && height >= 0, "RgbImage: size {}x{} is negative", width, height);
  RgbImage image{width, height, std::vector<uint8_t>(static_cast<size_t>(width * height * 3))};
  for (int64_t i = 0; i < width * height; ++i) {
    std::copy_n(color.begin(), 3, &image.pixels[i * 3]);
  }
  return image;
}

Rgb RgbImage::pixel(int64_t x, int64_t y) const {
  CAMLAB_CHECK(contains(x, y), "RgbImage::pixel: ({}, {}) is outside the {}x{} image", x, y, width,
               height);
  const uint8_t* p = &pixels[(y * width + x) * 3];
  return {p[0], p[1], p[2]};
}

void RgbImage::set_pixel(int64_t x, int64_t y, Rgb color) {
  if (contains(x, y)) {
    std::copy_n(color.begin(), 3, &pixels[(y * width + x) * 3]);
  }
}

RgbImage resize(const RgbImage& image, int64_t width, int64_t height, Resample mode) {
  CAMLAB_CHECK(image.width > 0 && image.height > 0, "resize: the source image is empty ({}x{})",
               image.width, image.height);
  CAMLAB_CHECK(width > 0 && height > 0, "resize: target size {}x{} must be positive", width,
               height);
  RgbImage out = RgbImage::filled(width, height, kBlack);
  if (mode == Resample::Nearest) {
    resize_nearest(image, out);
  } else {
    resize_bilinear(image, out);
  }
  return out;
}

RgbImage upscale(const RgbImage& image, int64_t factor, Resample mode) {
  CAMLAB_CHECK(factor >= 1, "upscale: factor {} must be an integer >= 1", factor);
  return resize(image, image.width * factor, image.height * factor, mode);
}

}  // namespace camlab::render
