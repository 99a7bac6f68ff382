#include "experiments/wsol/figures.h"

#include <array>
#include <cmath>

#include "cam/metrics/segmentation.h"
#include "cam/render/draw.h"

namespace camlab::experiments {

void draw_rectangle(render::RgbImage& image, const cam::Box& box, render::Rgb colour) {
  const auto x0 = static_cast<int64_t>(std::floor(box.x0));
  const auto y0 = static_cast<int64_t>(std::floor(box.y0));
  const auto x1 = static_cast<int64_t>(std::ceil(box.x1)) - 1;
  const auto y1 = static_cast<int64_t>(std::ceil(box.y1)) - 1;
  if (x1 < x0 || y1 < y0) return;
  render::draw_line(image, x0, y0, x1, y0, colour);
  render::draw_line(image, x0, y1, x1, y1, colour);
  render::draw_line(image, x0, y0, x0, y1, colour);
  render::draw_line(image, x1, y0, x1, y1, colour);
}

render::Rgb label_colour(int64_t label) {
  // matplotlib's tab10, then a few more; label 0 (background) black.
  static constexpr std::array<render::Rgb, 12> kPalette = {{{31, 119, 180},
                                                            {255, 127, 14},
                                                            {44, 160, 44},
                                                            {214, 39, 40},
                                                            {148, 103, 189},
                                                            {140, 86, 75},
                                                            {227, 119, 194},
                                                            {188, 189, 34},
                                                            {23, 190, 207},
                                                            {255, 255, 255},
                                                            {255, 215, 0},
                                                            {0, 128, 128}}};
  if (label == 0) return render::kBlack;
  if (label == cam::kIgnoreLabel) return {110, 110, 110};
  return kPalette[static_cast<size_t>(label - 1) % kPalette.size()];
}

render::RgbImage mask_rgb(const Tensor& mask_in) {
  const Tensor mask = mask_in.to(Device::cpu()).contiguous();  // [H, W]
  render::RgbImage out = render::RgbImage::filled(mask.size(1), mask.size(0), render::kBlack);
  for (int64_t y = 0; y < mask.size(0); ++y) {
    for (int64_t x = 0; x < mask.size(1); ++x) {
      out.set_pixel(x, y, label_colour(mask.data<uint8_t>()[y * mask.size(1) + x]));
    }
  }
  return out;
}

}  // namespace camlab::experiments
