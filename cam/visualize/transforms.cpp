#include "cam/visualize/transforms.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "autograd/ops.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam::visualize {

AffineDraw draw_transform(const RobustnessOptions& options, Generator& gen) {
  const double u_x = gen.uniform();
  const double u_y = gen.uniform();
  const double u_zoom = gen.uniform();
  const double u_angle = gen.uniform();
  const double degrees = options.rotate_degrees * (2.0 * u_angle - 1.0);
  return {.shift_x = options.jitter * (2.0 * u_x - 1.0),
          .shift_y = options.jitter * (2.0 * u_y - 1.0),
          .zoom = 1.0 + options.scale * (2.0 * u_zoom - 1.0),
          .angle = degrees * std::numbers::pi / 180.0};
}

Tensor affine_resample(const Tensor& image, const AffineDraw& t) {
  CAMLAB_CHECK(image.dim() == 4, "affine_resample: expected images [B, C, H, W], got {}",
               shape_str(image.shape()));
  CAMLAB_CHECK(t.zoom > 0, "affine_resample: zoom must be positive, got {}", t.zoom);
  const int64_t height = image.size(2);
  const int64_t width = image.size(3);
  const int64_t pixels = height * width;
  const double cy = (static_cast<double>(height) - 1) / 2;
  const double cx = (static_cast<double>(width) - 1) / 2;
  const double cos_a = std::cos(t.angle);
  const double sin_a = std::sin(t.angle);

  // For every output pixel, its four bilinear neighbours in the input and their weights.
  std::array<std::vector<int64_t>, 4> index;
  std::array<std::vector<double>, 4> weight;
  for (int k = 0; k < 4; ++k) {
    index[k].resize(pixels);
    weight[k].resize(pixels);
  }
  for (int64_t i = 0; i < height; ++i) {
    for (int64_t j = 0; j < width; ++j) {
      const double vx = (static_cast<double>(j) - cx - t.shift_x) / t.zoom;
      const double vy = (static_cast<double>(i) - cy - t.shift_y) / t.zoom;
      const double sx =
          std::clamp(cx + cos_a * vx + sin_a * vy, 0.0, static_cast<double>(width - 1));
      const double sy =
          std::clamp(cy - sin_a * vx + cos_a * vy, 0.0, static_cast<double>(height - 1));
      const auto x0 = static_cast<int64_t>(std::floor(sx));
      const auto y0 = static_cast<int64_t>(std::floor(sy));
      const int64_t x1 = std::min(x0 + 1, width - 1);
      const int64_t y1 = std::min(y0 + 1, height - 1);
      const double fx = sx - static_cast<double>(x0);
      const double fy = sy - static_cast<double>(y0);
      const int64_t p = i * width + j;
      index[0][p] = y0 * width + x0;
      weight[0][p] = (1 - fy) * (1 - fx);
      index[1][p] = y0 * width + x1;
      weight[1][p] = (1 - fy) * fx;
      index[2][p] = y1 * width + x0;
      weight[2][p] = fy * (1 - fx);
      index[3][p] = y1 * width + x1;
      weight[3][p] = fy * fx;
    }
  }

  const Tensor flat = camlab::reshape(image, {image.size(0), image.size(1), pixels});  // [B, C, P]
  Tensor out;
  for (int k = 0; k < 4; ++k) {
    const Tensor idx = Tensor::from_vector(index[k], {pixels}).to(image.device());  // [P]
    const Tensor w =
        Tensor::from_vector(weight[k], {pixels}).to(image.dtype()).to(image.device());  // [P]
    const Tensor term = camlab::index_select(flat, 2, idx) * w;                         // [B, C, P]
    out = out.defined() ? out + term : term;
  }
  return camlab::reshape(out, image.shape());
}

Tensor gaussian_blur(const Tensor& image, double sigma) {
  CAMLAB_CHECK(image.dim() == 4, "gaussian_blur: expected images [B, C, H, W], got {}",
               shape_str(image.shape()));
  CAMLAB_CHECK(sigma > 0, "gaussian_blur: sigma must be positive, got {}", sigma);
  const auto radius = static_cast<int64_t>(std::ceil(3.0 * sigma));
  std::vector<double> taps(static_cast<size_t>(2 * radius + 1));
  for (int64_t k = -radius; k <= radius; ++k) {
    taps[k + radius] = std::exp(-0.5 * static_cast<double>(k * k) / (sigma * sigma));
  }
  const int64_t size = 2 * radius + 1;
  const Tensor row =
      Tensor::from_vector(taps, {1, 1, 1, size}).to(image.dtype()).to(image.device());
  const Tensor col = row.reshape({1, 1, size, 1});
  const Conv2dParams along_w{.kernel = {1, size}, .padding = {0, radius}};
  const Conv2dParams along_h{.kernel = {size, 1}, .padding = {radius, 0}};
  auto blur = [&](const Tensor& planes) {  // [N, 1, H, W]
    return ops::conv2d(ops::conv2d(planes, row, Tensor(), along_w), col, Tensor(), along_h);
  };
  const Tensor planes =
      image.contiguous().reshape({image.size(0) * image.size(1), 1, image.size(2), image.size(3)});
  const Tensor weight = blur(ops::ones_like(planes.narrow(0, 0, 1)));  // [1, 1, H, W]
  return ops::div(blur(planes), weight).reshape(image.shape());
}

}  // namespace camlab::cam::visualize
