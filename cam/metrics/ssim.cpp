#include "cam/metrics/ssim.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/error.h"

namespace camlab::cam {
namespace {

// A map as a row-major [h, w] grid of doubles.
struct Grid {
  int64_t h = 0, w = 0;
  std::vector<double> v;

  double at(int64_t y, int64_t x) const { return v[static_cast<size_t>(y * w + x)]; }
};

Grid grid_of(const Tensor& map) {
  const Tensor cpu = map.to(Device::cpu()).to(DType::Float64).contiguous();
  const double* p = cpu.data<double>();
  return {map.size(0), map.size(1), std::vector<double>(p, p + cpu.numel())};
}

// The normalised 1-D Gaussian of `size` taps: g_k ∝ exp(−(k − r)² / 2σ²), r = (size − 1) / 2.
std::vector<double> gaussian(int64_t size, double sigma) {
  std::vector<double> g(static_cast<size_t>(size));
  const double r = 0.5 * static_cast<double>(size - 1);
  double total = 0;
  for (int64_t k = 0; k < size; ++k) {
    const double d = static_cast<double>(k) - r;
    g[k] = std::exp(-d * d / (2 * sigma * sigma));
    total += g[k];
  }
  for (double& x : g) x /= total;
  return g;
}

// The 'valid' correlation of `in` with the separable window g ⊗ g: [h − s + 1, w − s + 1].
Grid filter_valid(const Grid& in, const std::vector<double>& g) {
  const auto s = static_cast<int64_t>(g.size());
  Grid rows{in.h, in.w - s + 1, {}};  // along x first
  rows.v.resize(static_cast<size_t>(rows.h * rows.w));
  for (int64_t y = 0; y < rows.h; ++y) {
    for (int64_t x = 0; x < rows.w; ++x) {
      double sum = 0;
      for (int64_t k = 0; k < s; ++k) sum += g[k] * in.at(y, x + k);
      rows.v[y * rows.w + x] = sum;
    }
  }
  Grid out{in.h - s + 1, rows.w, {}};
  out.v.resize(static_cast<size_t>(out.h * out.w));
  for (int64_t y = 0; y < out.h; ++y) {
    for (int64_t x = 0; x < out.w; ++x) {
      double sum = 0;
      for (int64_t k = 0; k < s; ++k) sum += g[k] * rows.at(y + k, x);
      out.v[y * out.w + x] = sum;
    }
  }
  return out;
}

Grid product(const Grid& a, const Grid& b) {
  Grid out{a.h, a.w, a.v};
  for (size_t i = 0; i < out.v.size(); ++i) out.v[i] *= b.v[i];
  return out;
}

}  // namespace

double ssim(const Tensor& a, const Tensor& b, const SsimOptions& options) {
  CAMLAB_CHECK(a.dim() == 2 && a.shape() == b.shape(),
               "ssim: expected two maps [H, W] of one shape, got {} and {}", shape_str(a.shape()),
               shape_str(b.shape()));
  CAMLAB_CHECK(options.window >= 1 && options.window % 2 == 1 && options.sigma > 0,
               "ssim: the window must be odd and σ positive, got window {} and σ {}",
               options.window, options.sigma);
  const Grid x = grid_of(a), y = grid_of(b);
  int64_t size = std::min({options.window, x.h, x.w});
  if (size % 2 == 0) --size;  // the window stays centred on a pixel
  const std::vector<double> g = gaussian(size, options.sigma);
  const Grid mu_x = filter_valid(x, g), mu_y = filter_valid(y, g);
  const Grid xx = filter_valid(product(x, x), g), yy = filter_valid(product(y, y), g);
  const Grid xy = filter_valid(product(x, y), g);
  const double c1 = std::pow(options.k1 * options.data_range, 2);
  const double c2 = std::pow(options.k2 * options.data_range, 2);
  double total = 0;
  for (size_t i = 0; i < mu_x.v.size(); ++i) {
    const double mx = mu_x.v[i], my = mu_y.v[i];
    const double var_x = xx.v[i] - mx * mx, var_y = yy.v[i] - my * my, cov = xy.v[i] - mx * my;
    total +=
        (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (var_x + var_y + c2));
  }
  return total / static_cast<double>(mu_x.v.size());
}

Tensor normalized(const Tensor& map) {
  Tensor out = map.to(Device::cpu()).to(DType::Float64).contiguous().clone();
  double* v = out.data<double>();
  const int64_t n = out.numel();
  if (n == 0) return out;
  const auto [lo, hi] = std::minmax_element(v, v + n);
  const double low = *lo, span = *hi - *lo;
  for (int64_t i = 0; i < n; ++i) v[i] = span > 0 ? (v[i] - low) / span : 0.0;
  return out;
}

}  // namespace camlab::cam
