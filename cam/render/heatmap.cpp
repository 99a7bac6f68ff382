#include "cam/render/heatmap.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/error.h"

namespace camlab::render {
namespace {

// A host float64 copy, row-major, whatever the source device, dtype or strides.
std::vector<double> host_values(const Tensor& t) {
  Tensor host = t.to(Device::cpu()).to(DType::Float64).contiguous();
  const double* data = host.data<double>();
  return std::vector<double>(data, data + host.numel());
}

// [H, W] or [1, H, W] -> [H, W]; anything else an Error naming `op`.
Tensor as_map(const Tensor& map, std::string_view op) {
  CAMLAB_CHECK(map.defined(), "{}: the map tensor is undefined", op);
  CAMLAB_CHECK(is_floating(map.dtype()), "{}: expected a float32/float64 map, got {}", op,
               dtype_name(map.dtype()));
  bool single_channel = map.dim() == 3 && map.size(0) == 1;
  CAMLAB_CHECK(map.dim() == 2 || single_channel, "{}: expected a map [H, W] (or [1, H, W]), got {}",
               op, shape_str(map.shape()));
  return single_channel ? map.squeeze(0) : map;
}

DisplayRange min_max_range(const std::vector<double>& values) {
  auto [low, high] = std::ranges::minmax_element(values);
  if (low == values.end() || !(*high > *low)) {
    return DisplayRange{0.0, 1.0};
  }
  return DisplayRange{*low, *high};
}

uint8_t display_byte(double value, const DisplayRange& range) {
  double unit = (value - range.low) / (range.high - range.low);
  return static_cast<uint8_t>(std::lround(std::clamp(unit, 0.0, 1.0) * 255.0));
}

// Heat colour per pixel, in the map's row-major order.
std::vector<Rgb> heat_colors(const Tensor& map2d, Colormap cmap, std::string_view op) {
  std::vector<double> values = host_values(map2d);
  std::vector<Rgb> colors(values.size());
  int64_t width = map2d.size(1);
  for (size_t i = 0; i < values.size(); ++i) {
    CAMLAB_CHECK(std::isfinite(values[i]),
                 "{}: map value at (y={}, x={}) is {}; normalize the map to [0, 1] first", op,
                 static_cast<int64_t>(i) / width, static_cast<int64_t>(i) % width, values[i]);
    colors[i] = colormap_rgb(cmap, values[i]);
  }
  return colors;
}

}  // namespace

RgbImage to_rgb(const Tensor& image, std::optional<DisplayRange> range) {
  CAMLAB_CHECK(image.defined(), "to_rgb: the image tensor is undefined");
  Tensor chw = image.dim() == 2 ? image.unsqueeze(0) : image;
  CAMLAB_CHECK(chw.dim() == 3 && (chw.size(0) == 1 || chw.size(0) == 3),
               "to_rgb: expected an image [C, H, W] with C = 1 or 3 (or [H, W]), got {}",
               shape_str(image.shape()));
  CAMLAB_CHECK(is_floating(chw.dtype()) || chw.dtype() == DType::UInt8,
               "to_rgb: expected a float32, float64 or uint8 image, got {}",
               dtype_name(chw.dtype()));
  std::vector<double> values = host_values(chw);  // [C, H, W]
  if (!range) {
    range = chw.dtype() == DType::UInt8 ? DisplayRange{0.0, 255.0} : min_max_range(values);
  }
  CAMLAB_CHECK(range->high > range->low, "to_rgb: display range [{}, {}] is empty; need low < high",
               range->low, range->high);
  int64_t channels = chw.size(0);
  int64_t plane = chw.size(1) * chw.size(2);
  RgbImage out = RgbImage::filled(chw.size(2), chw.size(1), kBlack);
  for (int64_t i = 0; i < plane; ++i) {
    for (int64_t c = 0; c < 3; ++c) {
      double value = values[(channels == 1 ? 0 : c) * plane + i];
      out.pixels[i * 3 + c] = display_byte(value, *range);
    }
  }
  return out;
}

RgbImage heatmap_rgb(const Tensor& map, Colormap cmap) {
  Tensor map2d = as_map(map, "heatmap_rgb");
  std::vector<Rgb> colors = heat_colors(map2d, cmap, "heatmap_rgb");
  RgbImage out = RgbImage::filled(map2d.size(1), map2d.size(0), kBlack);
  for (size_t i = 0; i < colors.size(); ++i) {
    std::copy_n(colors[i].begin(), 3, &out.pixels[i * 3]);
  }
  return out;
}

RgbImage overlay(const RgbImage& base, const Tensor& map, Colormap cmap, double alpha) {
  Tensor map2d = as_map(map, "overlay");
  CAMLAB_CHECK(map2d.size(0) == base.height && map2d.size(1) == base.width,
               "overlay: map {} does not match the {}x{} image (W x H); upsample the map to the "
               "input resolution first",
               shape_str(map.shape()), base.width, base.height);
  CAMLAB_CHECK(alpha >= 0.0 && alpha <= 1.0, "overlay: alpha {} must lie in [0, 1]", alpha);
  std::vector<Rgb> colors = heat_colors(map2d, cmap, "overlay");
  RgbImage out = base;
  for (size_t i = 0; i < colors.size(); ++i) {
    for (size_t c = 0; c < 3; ++c) {
      double blend = alpha * colors[i][c] + (1.0 - alpha) * base.pixels[i * 3 + c];
      out.pixels[i * 3 + c] = static_cast<uint8_t>(std::lround(blend));
    }
  }
  return out;
}

}  // namespace camlab::render
