#include "datasets/resize_antialias.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/error.h"

namespace camlab::datasets {
namespace {

// The taps of every output pixel along one axis: output i reads source pixels
// first[i] .. first[i] + count[i] - 1 with weights[i * width + k].
struct AxisTaps {
  std::vector<int64_t> first, count;
  std::vector<double> weights;  // [out, width]
  int64_t width = 0;
};

AxisTaps axis_taps(int64_t in, int64_t out) {
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  const double stretch = std::max(scale, 1.0);  // the triangle's half-width in source pixels
  AxisTaps taps;
  taps.width = static_cast<int64_t>(std::ceil(stretch)) * 2 + 1;
  taps.first.resize(out);
  taps.count.resize(out);
  taps.weights.assign(out * taps.width, 0.0);
  for (int64_t i = 0; i < out; ++i) {
    const double center = (static_cast<double>(i) + 0.5) * scale;
    // Truncation toward zero, as the C casts of PIL and PyTorch.
    const int64_t lo = std::max<int64_t>(static_cast<int64_t>(center - stretch + 0.5), 0);
    const int64_t hi = std::min<int64_t>(static_cast<int64_t>(center + stretch + 0.5), in);
    double total = 0.0;
    double* w = &taps.weights[i * taps.width];
    for (int64_t j = lo; j < hi; ++j) {
      w[j - lo] = std::max(0.0, 1.0 - std::abs((j - center + 0.5) / stretch));
      total += w[j - lo];
    }
    for (int64_t j = lo; j < hi && total > 0.0; ++j) w[j - lo] /= total;
    taps.first[i] = lo;
    taps.count[i] = hi - lo;
  }
  return taps;
}

}  // namespace

Tensor resize_antialias(const Tensor& image, int64_t out_height, int64_t out_width) {
  CAMLAB_CHECK(image.dim() == 3 && image.dtype() == DType::Float32 && image.device().is_cpu(),
               "resize_antialias: expected a float32 [C, H, W] CPU image, got {} {}",
               shape_str(image.shape()), dtype_name(image.dtype()));
  CAMLAB_CHECK(out_height > 0 && out_width > 0, "resize_antialias: output size {}x{} is empty",
               out_height, out_width);
  const Tensor x = image.contiguous();
  const int64_t channels = x.size(0), height = x.size(1), width = x.size(2);
  const AxisTaps across = axis_taps(width, out_width);
  const AxisTaps down = axis_taps(height, out_height);
  std::vector<double> rows(channels * height * out_width);  // [C, H, out_W]
  const float* in = x.data<float>();
  for (int64_t cy = 0; cy < channels * height; ++cy) {
    for (int64_t i = 0; i < out_width; ++i) {
      double sum = 0.0;
      for (int64_t k = 0; k < across.count[i]; ++k) {
        sum += across.weights[i * across.width + k] * in[cy * width + across.first[i] + k];
      }
      rows[cy * out_width + i] = sum;
    }
  }
  Tensor out = Tensor::empty({channels, out_height, out_width}, DType::Float32);  // [C, oH, oW]
  float* y = out.data<float>();
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t i = 0; i < out_height; ++i) {
      for (int64_t x_out = 0; x_out < out_width; ++x_out) {
        double sum = 0.0;
        for (int64_t k = 0; k < down.count[i]; ++k) {
          sum += down.weights[i * down.width + k] *
                 rows[(c * height + down.first[i] + k) * out_width + x_out];
        }
        y[(c * out_height + i) * out_width + x_out] = static_cast<float>(sum);
      }
    }
  }
  return out;
}

}  // namespace camlab::datasets
