#include "cam/visualize/fourier.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "autograd/ops.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam::visualize {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// A [rows, cols] tensor from f(r, c), computed in double and stored in `dtype`.
template <typename F>
Tensor table(int64_t rows, int64_t cols, DType dtype, Device device, F&& f) {
  std::vector<double> values(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) values[r * cols + c] = f(r, c);
  }
  return Tensor::from_vector(values, {rows, cols}).to(dtype).to(device);
}

// numpy.fft.fftfreq(n)[k]: signed frequency of bin k in cycles per sample.
double signed_frequency(int64_t k, int64_t n) {
  const int64_t folded = k <= (n - 1) / 2 ? k : k - n;
  return static_cast<double>(folded) / static_cast<double>(n);
}

}  // namespace

FourierBasis::FourierBasis(int64_t height, int64_t width, DType dtype, Device device)
    : height_(height), width_(width) {
  CAMLAB_CHECK(height > 0 && width > 0, "fourier: image size must be positive, got {}x{}", height,
               width);
  const int64_t wf = freq_width();
  const auto h = static_cast<double>(height);
  const auto w = static_cast<double>(width);
  // c_v: the half spectrum's columns 1..⌈W/2⌉−1 stand for themselves and their conjugate twins.
  auto twin_weight = [&](int64_t v) { return v == 0 || 2 * v == width ? 1.0 : 2.0; };
  cos_h_ = table(height, height, dtype, device,
                 [&](int64_t a, int64_t b) { return std::cos(kTwoPi * a * b / h); });
  sin_h_ = table(height, height, dtype, device,
                 [&](int64_t a, int64_t b) { return std::sin(kTwoPi * a * b / h); });
  cos_w_ = table(wf, width, dtype, device, [&](int64_t v, int64_t x) {
    return twin_weight(v) * std::cos(kTwoPi * v * x / w);
  });
  sin_w_ = table(wf, width, dtype, device, [&](int64_t v, int64_t x) {
    return twin_weight(v) * std::sin(kTwoPi * v * x / w);
  });
  cos_w_fwd_ = table(width, wf, dtype, device,
                     [&](int64_t x, int64_t v) { return std::cos(kTwoPi * v * x / w); });
  sin_w_fwd_ = table(width, wf, dtype, device,
                     [&](int64_t x, int64_t v) { return std::sin(kTwoPi * v * x / w); });
  freq_ = table(height, wf, dtype, device, [&](int64_t u, int64_t v) {
    const double fy = signed_frequency(u, height);
    const double fx = static_cast<double>(v) / w;
    return std::sqrt(fy * fy + fx * fx);
  });
  const double floor_freq = 1.0 / std::max(h, w);
  scale_ = table(height, wf, dtype, device, [&](int64_t u, int64_t v) {
    const double fy = signed_frequency(u, height);
    const double fx = static_cast<double>(v) / w;
    return 1.0 / std::max(std::sqrt(fy * fy + fx * fx), floor_freq);
  });
  norm_ = 1.0 / std::sqrt(h * w);
}

Tensor FourierBasis::to_image(const Tensor& spectrum) const {
  CAMLAB_CHECK(spectrum.dim() == 5 && spectrum.size(1) == 2 && spectrum.size(3) == height_ &&
                   spectrum.size(4) == freq_width(),
               "fourier: expected a spectrum [B, 2, C, {}, {}], got {}", height_, freq_width(),
               shape_str(spectrum.shape()));
  const Tensor re = camlab::select(spectrum, 1, 0);  // [B, C, H, Wf]
  const Tensor im = camlab::select(spectrum, 1, 1);  // [B, C, H, Wf]
  // Along H (complex): Y = Σ_u X[u] e^{+iψ}, ψ = 2π uh/H.
  const Tensor y_re = camlab::matmul(cos_h_, re) - camlab::matmul(sin_h_, im);  // [B, C, H, Wf]
  const Tensor y_im = camlab::matmul(sin_h_, re) + camlab::matmul(cos_h_, im);  // [B, C, H, Wf]
  // Along W (real part only): x = Σ_v c_v (Y_re cos φ − Y_im sin φ), φ = 2π vw/W.
  const Tensor x = camlab::matmul(y_re, cos_w_) - camlab::matmul(y_im, sin_w_);  // [B, C, H, W]
  return x * norm_;
}

Tensor FourierBasis::from_image(const Tensor& image) const {
  CAMLAB_CHECK(image.dim() == 4 && image.size(2) == height_ && image.size(3) == width_,
               "fourier: expected images [B, C, {}, {}], got {}", height_, width_,
               shape_str(image.shape()));
  // Along W: Z = Σ_w x e^{−iφ}.
  const Tensor z_re = ops::matmul(image, cos_w_fwd_);            // [B, C, H, Wf]
  const Tensor z_im = ops::neg(ops::matmul(image, sin_w_fwd_));  // [B, C, H, Wf]
  // Along H: X = Σ_h e^{−iψ} Z (cos and sin tables are symmetric).
  const Tensor x_re = ops::add(ops::matmul(cos_h_, z_re), ops::matmul(sin_h_, z_im));
  const Tensor x_im = ops::sub(ops::matmul(cos_h_, z_im), ops::matmul(sin_h_, z_re));
  return ops::mul(ops::stack({x_re, x_im}, 1), norm_);  // [B, 2, C, H, Wf]
}

Tensor FourierBasis::gaussian_response(double sigma) const {
  const double k = -2.0 * std::numbers::pi * std::numbers::pi * sigma * sigma;
  return ops::exp(ops::mul(ops::mul(freq_, freq_), k));  // [H, Wf]
}

}  // namespace camlab::cam::visualize
