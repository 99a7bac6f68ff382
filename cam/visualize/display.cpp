#include "cam/visualize/display.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tensor/error.h"
#include "tensor/graph_guard.h"

namespace camlab::cam::visualize {
namespace {

// The display byte of Chollet's recipe: standardised value ×64 + 128, clipped.
uint8_t display_byte(double value, double mean, double inv_std) {
  const double shown = (value - mean) * inv_std * 64.0 + 128.0;
  return static_cast<uint8_t>(std::lround(std::clamp(shown, 0.0, 255.0)));
}

}  // namespace

std::vector<double> host_values(const Tensor& t) {
  const RawOpScope reads_only;  // reading values leaves any graph as it is
  Tensor host = t.to(Device::cpu()).to(DType::Float64).contiguous();
  const double* data = host.data<double>();
  return std::vector<double>(data, data + host.numel());
}

bool is_all_zero(const Tensor& t) {
  const std::vector<double> values = host_values(t);
  return std::ranges::all_of(values, [](double v) { return v == 0.0; });
}

render::RgbImage standardized_rgb(const Tensor& picture) {
  CAMLAB_CHECK(picture.defined() && (picture.dim() == 2 || picture.dim() == 3),
               "standardized_rgb: expected a picture [H, W] or [C, H, W], got {}",
               picture.defined() ? shape_str(picture.shape()) : "undefined");
  const Tensor chw = picture.dim() == 2 ? picture.unsqueeze(0) : picture;  // [C, H, W]
  const int64_t channels = chw.size(0);
  const int64_t height = chw.size(1);
  const int64_t width = chw.size(2);
  const std::vector<double> values = host_values(chw);

  double mean = 0.0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(std::max<size_t>(values.size(), 1));
  double var = 0.0;
  for (double v : values) var += (v - mean) * (v - mean);
  var /= static_cast<double>(std::max<size_t>(values.size(), 1));
  const double std = std::sqrt(var);
  const bool all_zero = std::ranges::all_of(values, [](double v) { return v == 0.0; });
  // No spread: the channel shows as black when it is all zero, mid gray otherwise.
  const double inv_std = std > 1e-12 ? 1.0 / std : 0.0;

  render::RgbImage image = render::RgbImage::filled(width, height, render::kBlack);
  const int64_t plane = height * width;
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      const int64_t at = y * width + x;
      render::Rgb color{};
      if (all_zero) {
        color = render::kBlack;
      } else if (channels == 3) {
        for (int64_t c = 0; c < 3; ++c) {
          color[c] = display_byte(values[c * plane + at], mean, inv_std);
        }
      } else {
        double gray = 0.0;
        for (int64_t c = 0; c < channels; ++c) gray += values[c * plane + at];
        const uint8_t byte = display_byte(gray / static_cast<double>(channels), mean, inv_std);
        color = {byte, byte, byte};
      }
      image.set_pixel(x, y, color);
    }
  }
  return image;
}

}  // namespace camlab::cam::visualize
