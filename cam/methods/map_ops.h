// The map arithmetic every method shares: per-channel contributions to a raw map (a sum or the
// first principal component, then ReLU), resizing, per-image min-max, and fusing several layers.
//
//   Tensor raw = reduce_contributions(ops::mul(weights4, A), /*eigen=*/false);  // [N, h, w]
//   Tensor maps = display_maps(raw, 28, 28);            // [N, 28, 28] in [0, 1]
//   Tensor fused = fuse_layers({raw_conv3, raw_conv4}, 28, 28);   // mean of the display maps
//   Tensor p = first_component(A);                      // Eigen-CAM's projection, [N, h, w]
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::cam {

// terms [N, K, h, w] (w_k·A^k, or element-wise terms) -> ReLU(Σ_k terms) [N, h, w]; with eigen,
// ReLU(first_component(terms)) instead (pytorch-grad-cam's eigen_smooth).
Tensor reduce_contributions(const Tensor& terms, bool eigen);

// Eigen-CAM (Muhammad & Yeasin 2020): each image's terms as a matrix X [h·w, K], columns centred,
// projected on its first right singular vector: p = X_c·v₁ [N, h, w]. An SVD's sign is arbitrary
// (pytorch-grad-cam keeps whatever LAPACK returns); camlab flips p so that it correlates
// positively with the mean over channels of the uncentred X, i.e. the projection agrees with the
// mean activation. v₁ comes from the smaller Gram matrix (X_cᵀX_c, or X_cX_cᵀ with p = σ₁u₁) and
// top_eigenpair, in double: exact to rounding, O(min(h·w, K)³) per image.
Tensor first_component(const Tensor& terms);

// The pieces of first_component that KPCA-CAM (kpca_cam.h) shares, on one image's terms x, read
// as K rows of h·w values (double, row-major):
// x [K, hw] with each row's mean subtracted, i.e. X_c's columns centred.
std::vector<double> centre_channels(const double* x, int64_t k, int64_t hw);
// X_c·v₁ [hw], v₁ the first right singular vector of X_c, with whatever sign the eigensolver gives.
std::vector<double> principal_projection(const double* x, int64_t k, int64_t hw);
// Flips p [hw] where it correlates negatively with the mean over channels of x: the sign rule.
void orient_like_mean_activation(std::vector<double>& p, const double* x, int64_t k, int64_t hw);
// terms [N, K, h, w] -> [N, h, w] (terms' dtype and device): project(x, K, h·w) on each image, in
// double on the host.
using ImageProjection = std::function<std::vector<double>(const double* x, int64_t k, int64_t hw)>;
Tensor project_images(const Tensor& terms, const ImageProjection& project);

// Top eigenvector (unit length, either sign) and eigenvalue of a symmetric n x n matrix (row-major,
// double), exact to rounding: Householder tridiagonalisation, bisection and inverse iteration
// (top_eigenpair.cpp), about 2n³ flops. Exposed for tests.
struct Eigenpair {
  std::vector<double> vector;
  double value = 0;
};
Eigenpair top_eigenpair(std::vector<double> symmetric, int64_t n);

// raw [N, h, w] -> [N, H, W], bilinear with half-pixel centres (align_corners = false).
Tensor upsample_maps(const Tensor& raw, int64_t height, int64_t width);
// Per image: (x − min) / (max − min); an image with max = min becomes zeros.
Tensor minmax_normalize(const Tensor& maps);
// What Explanation::maps holds: minmax_normalize(upsample_maps(raw, H, W)).
Tensor display_maps(const Tensor& raw, int64_t height, int64_t width);
// Several layers (pytorch-grad-cam's rule): each raw map to display_maps at the input size, then
// the mean over layers [N, H, W] (not renormalised).
Tensor fuse_layers(const std::vector<Tensor>& raws, int64_t height, int64_t width);

// Horizontal flip of the last dim (any rank); aug-smooth's augmentation and its inverse.
Tensor flip_width(const Tensor& x);

}  // namespace camlab::cam
