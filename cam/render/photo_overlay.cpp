#include "cam/render/photo_overlay.h"

#include <algorithm>
#include <cmath>

#include "cam/render/draw.h"
#include "cam/render/heatmap.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::render {
namespace {

RgbImage crop_of(const RgbImage& image, int64_t x, int64_t y, int64_t width, int64_t height) {
  RgbImage out = RgbImage::filled(width, height, kBlack);
  for (int64_t row = 0; row < height; ++row) {
    std::copy_n(&image.pixels[((y + row) * image.width + x) * 3], width * 3,
                &out.pixels[row * width * 3]);
  }
  return out;
}

void frame(RgbImage& image, int64_t x0, int64_t y0, int64_t x1, int64_t y1, int64_t thickness) {
  draw_line(image, x0, y0, x1, y0, kWhite, thickness);
  draw_line(image, x1, y0, x1, y1, kWhite, thickness);
  draw_line(image, x1, y1, x0, y1, kWhite, thickness);
  draw_line(image, x0, y1, x0, y0, kWhite, thickness);
}

}  // namespace

RgbImage overlay_on_photo(const datasets::Image8& photo, const datasets::CropBox& box,
                          const Tensor& map, Colormap cmap, double alpha) {
  const Tensor plane = map.dim() == 3 ? map.select(0, 0) : map;  // [h, w]
  CAMLAB_CHECK(plane.dim() == 2, "overlay_on_photo: expected a map [h, w], got {}",
               shape_str(map.shape()));
  datasets::Image8 rgb = datasets::with_channels(photo, 3);
  RgbImage out{rgb.width, rgb.height, std::move(rgb.pixels)};
  const int64_t x0 = std::clamp<int64_t>(std::lround(box.x0), 0, out.width - 1);
  const int64_t y0 = std::clamp<int64_t>(std::lround(box.y0), 0, out.height - 1);
  const int64_t x1 = std::clamp<int64_t>(std::lround(box.x1), x0 + 1, out.width);
  const int64_t y1 = std::clamp<int64_t>(std::lround(box.y1), y0 + 1, out.height);
  const Tensor resized =  // [1, 1, y1 - y0, x1 - x0]
      ops::upsample_bilinear2d(
          plane.to(Device::cpu()).contiguous().reshape({1, 1, plane.size(0), plane.size(1)}),
          {y1 - y0, x1 - x0}, false);
  const RgbImage blended = overlay(crop_of(out, x0, y0, x1 - x0, y1 - y0),
                                   resized.reshape({y1 - y0, x1 - x0}), cmap, alpha);
  paste(out, blended, x0, y0);
  frame(out, x0, y0, x1 - 1, y1 - 1, std::max<int64_t>(1, std::min(out.width, out.height) / 250));
  return out;
}

}  // namespace camlab::render
