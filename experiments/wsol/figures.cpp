#include "experiments/wsol/figures.h"

#include <cmath>

#include "cam/metrics/segmentation.h"
#include "cam/render/draw.h"
#include "cam/render/palette.h"

namespace camlab::experiments {

void draw_rectangle(render::RgbImage& image, const cam::Box& box, render::Rgb color) {
  const auto x0 = static_cast<int64_t>(std::floor(box.x0));
  const auto y0 = static_cast<int64_t>(std::floor(box.y0));
  const auto x1 = static_cast<int64_t>(std::ceil(box.x1)) - 1;
  const auto y1 = static_cast<int64_t>(std::ceil(box.y1)) - 1;
  if (x1 < x0 || y1 < y0) return;
  render::draw_line(image, x0, y0, x1, y0, color);
  render::draw_line(image, x0, y1, x1, y1, color);
  render::draw_line(image, x0, y0, x0, y1, color);
  render::draw_line(image, x1, y0, x1, y1, color);
}

render::Rgb label_color(int64_t label) {
  // Background black; ignored pixels PASCAL VOC's cream, a color tab10 does not use.
  if (label == 0) return render::kBlack;
  if (label == cam::kIgnoreLabel) return {224, 224, 192};
  return render::category_color(label - 1);
}

render::RgbImage mask_rgb(const Tensor& mask_in) {
  const Tensor mask = mask_in.to(Device::cpu()).contiguous();  // [H, W]
  render::RgbImage out = render::RgbImage::filled(mask.size(1), mask.size(0), render::kBlack);
  for (int64_t y = 0; y < mask.size(0); ++y) {
    for (int64_t x = 0; x < mask.size(1); ++x) {
      out.set_pixel(x, y, label_color(mask.data<uint8_t>()[y * mask.size(1) + x]));
    }
  }
  return out;
}

}  // namespace camlab::experiments
