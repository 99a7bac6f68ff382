#include "cam/metrics/linear_imputation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

struct Neighbour {
  int dy, dx;
  double weight;
};
// Rong et al. 2022, sec. 4: edge neighbours 1/6, diagonal ones 1/12 (they sum to 1).
constexpr std::array<Neighbour, 8> kNeighbours = {{{-1, -1, 1.0 / 12},
                                                   {-1, 0, 1.0 / 6},
                                                   {-1, 1, 1.0 / 12},
                                                   {0, -1, 1.0 / 6},
                                                   {0, 1, 1.0 / 6},
                                                   {1, -1, 1.0 / 12},
                                                   {1, 0, 1.0 / 6},
                                                   {1, 1, 1.0 / 12}}};

// The block-diagonal system of all images: one row per removed pixel, with C right-hand sides.
struct System {
  std::vector<int64_t> pixel;      // [U] the removed pixel (flat index n·H·W + y·W + x)
  std::vector<int64_t> image;      // [U] its image
  std::vector<int64_t> row_start;  // [U + 1] CSR rows of the removed neighbours
  std::vector<int64_t> column;     // removed neighbour's unknown index
  std::vector<double> weight;      // its w_ij (the matrix holds −w_ij)
  std::vector<double> diagonal;    // [U] Σ w_ij over in-image neighbours
  std::vector<double> rhs;         // [U, C] Σ w_ij x_j over kept neighbours
};

System build_system(const float* x, const float* keep, int64_t n, int64_t c, int64_t h, int64_t w) {
  const int64_t hw = h * w;
  System s;
  std::vector<int64_t> unknown(static_cast<size_t>(n * hw), -1);  // [N, H, W] pixel -> unknown
  for (int64_t p = 0; p < n * hw; ++p) {
    if (keep[p] > 0.5f) continue;
    unknown[p] = static_cast<int64_t>(s.pixel.size());
    s.pixel.push_back(p);
    s.image.push_back(p / hw);
  }
  const auto u = static_cast<int64_t>(s.pixel.size());
  s.row_start.assign(1, 0);
  s.diagonal.assign(static_cast<size_t>(u), 0.0);
  s.rhs.assign(static_cast<size_t>(u * c), 0.0);
  for (int64_t i = 0; i < u; ++i) {
    const int64_t p = s.pixel[i], img = p / hw, y = (p % hw) / w, xx = p % w;
    for (const Neighbour& nb : kNeighbours) {
      const int64_t ny = y + nb.dy, nx = xx + nb.dx;
      if (ny < 0 || ny >= h || nx < 0 || nx >= w) continue;  // outside: left out of the mean
      const int64_t q = img * hw + ny * w + nx;
      s.diagonal[i] += nb.weight;
      if (unknown[q] >= 0) {
        s.column.push_back(unknown[q]);
        s.weight.push_back(nb.weight);
      } else {
        for (int64_t ch = 0; ch < c; ++ch)
          s.rhs[i * c + ch] += nb.weight * x[(img * c + ch) * hw + ny * w + nx];
      }
    }
    s.row_start.push_back(static_cast<int64_t>(s.column.size()));
  }
  return s;
}

// out = A v for the C columns of v [U, C].
void multiply(const System& s, int64_t c, const std::vector<double>& v, std::vector<double>& out) {
  const auto u = static_cast<int64_t>(s.pixel.size());
  for (int64_t i = 0; i < u; ++i) {
    for (int64_t ch = 0; ch < c; ++ch) out[i * c + ch] = s.diagonal[i] * v[i * c + ch];
    for (int64_t k = s.row_start[i]; k < s.row_start[i + 1]; ++k)
      for (int64_t ch = 0; ch < c; ++ch) out[i * c + ch] -= s.weight[k] * v[s.column[k] * c + ch];
  }
}

// Per (image, channel) system: Σ_i a_i b_i over its unknowns -> [N, C].
std::vector<double> dots(const System& s, int64_t n, int64_t c, const std::vector<double>& a,
                         const std::vector<double>& b) {
  std::vector<double> out(static_cast<size_t>(n * c), 0.0);
  for (size_t i = 0; i < s.pixel.size(); ++i)
    for (int64_t ch = 0; ch < c; ++ch) out[s.image[i] * c + ch] += a[i * c + ch] * b[i * c + ch];
  return out;
}

// Jacobi-preconditioned conjugate gradients (Hestenes & Stiefel 1952), every (image, channel)
// system with its own step sizes, in lock-step. Returns the solution [U, C].
std::vector<double> solve(const System& s, int64_t n, int64_t c, const ImputationOptions& o,
                          int64_t max_iterations) {
  const auto u = static_cast<int64_t>(s.pixel.size());
  std::vector<double> x(static_cast<size_t>(u * c), 0.0), r = s.rhs, z(r.size()), p, ap(r.size());
  for (int64_t i = 0; i < u * c; ++i) z[i] = r[i] / s.diagonal[i / c];
  p = z;
  std::vector<double> rz = dots(s, n, c, r, z);
  const std::vector<double> bb = dots(s, n, c, s.rhs, s.rhs);
  for (int64_t it = 0;; ++it) {
    const std::vector<double> rr = dots(s, n, c, r, r);
    bool done = true;
    for (size_t k = 0; k < rr.size(); ++k)
      done = done && rr[k] <= o.tolerance * o.tolerance * bb[k];
    if (done) return x;
    CAMLAB_CHECK(it < max_iterations,
                 "noisy_linear_imputation: conjugate gradients did not reach tolerance {} in {} "
                 "iterations; raise max_iterations",
                 o.tolerance, max_iterations);
    multiply(s, c, p, ap);
    const std::vector<double> pap = dots(s, n, c, p, ap);
    std::vector<double> alpha(rz.size(), 0.0);
    for (size_t k = 0; k < rz.size(); ++k) alpha[k] = pap[k] > 0 ? rz[k] / pap[k] : 0.0;
    for (int64_t i = 0; i < u; ++i)
      for (int64_t ch = 0; ch < c; ++ch) {
        const double a = alpha[s.image[i] * c + ch];
        x[i * c + ch] += a * p[i * c + ch];
        r[i * c + ch] -= a * ap[i * c + ch];
        z[i * c + ch] = r[i * c + ch] / s.diagonal[i];
      }
    const std::vector<double> rz_next = dots(s, n, c, r, z);
    for (int64_t i = 0; i < u; ++i)
      for (int64_t ch = 0; ch < c; ++ch) {
        const int64_t k = s.image[i] * c + ch;
        const double beta = rz[k] > 0 ? rz_next[k] / rz[k] : 0.0;
        p[i * c + ch] = z[i * c + ch] + beta * p[i * c + ch];
      }
    rz = rz_next;
  }
}

}  // namespace

Tensor noisy_linear_imputation(const Tensor& images_in, const Tensor& keep_in, Generator& gen,
                               const ImputationOptions& o) {
  CAMLAB_CHECK(images_in.dim() == 4 && keep_in.dim() == 3 && keep_in.size(0) == images_in.size(0) &&
                   keep_in.size(1) == images_in.size(2) && keep_in.size(2) == images_in.size(3),
               "noisy_linear_imputation: images {} and keep {} do not match; expected [N, C, H, W] "
               "and [N, H, W]",
               shape_str(images_in.shape()), shape_str(keep_in.shape()));
  CAMLAB_CHECK(o.noise >= 0 && o.tolerance > 0 && o.max_iterations >= 0,
               "noisy_linear_imputation: noise {} must be >= 0, tolerance {} > 0, max_iterations "
               "{} >= 0",
               o.noise, o.tolerance, o.max_iterations);
  const Tensor images = images_in.to(Device::cpu()).to(DType::Float32).contiguous();  // [N,C,H,W]
  const Tensor keep = keep_in.to(Device::cpu()).to(DType::Float32).contiguous();      // [N, H, W]
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const float* k = keep.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    bool any_kept = false;
    for (int64_t p = 0; p < h * w && !any_kept; ++p) any_kept = k[i * h * w + p] > 0.5f;
    CAMLAB_CHECK(any_kept,
                 "noisy_linear_imputation: image {} has every pixel removed; keep at least one", i);
  }
  const System s = build_system(images.data<float>(), k, n, c, h, w);
  const int64_t max_iterations = o.max_iterations > 0 ? o.max_iterations : 10 * (h + w);
  const std::vector<double> solution = solve(s, n, c, o, max_iterations);  // [U, C]
  const auto u = static_cast<int64_t>(s.pixel.size());
  const Tensor noise = ops::randn({std::max<int64_t>(u * c, 1)}, gen, DType::Float64);  // [U·C]
  Tensor out = images.clone();  // [N, C, H, W]
  float* y = out.data<float>();
  const double* e = noise.data<double>();
  const int64_t hw = h * w;
  for (int64_t i = 0; i < u; ++i) {
    const int64_t img = s.pixel[i] / hw, at = s.pixel[i] % hw;
    for (int64_t ch = 0; ch < c; ++ch)
      y[(img * c + ch) * hw + at] =
          static_cast<float>(solution[i * c + ch] + o.noise * e[i * c + ch]);
  }
  return out;
}

}  // namespace camlab::cam
