// KPCA-CAM's own options (Karmani et al. 2024): the kernel of its kernel PCA and the kernel's
// parameters, scikit-learn's KernelPCA defaults as pytorch-grad-cam's kpca_cam.py uses them.
//
//   KpcaCam kpca(*model, {.layers = {"relu4"}}, KpcaCamOptions{.kernel = "rbf", .gamma = 0.01});
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camlab::cam {

struct KpcaCamOptions {
  // k(a, b) between two positions' channel vectors (centred over positions):
  //   "sigmoid" tanh(γ·aᵀb + coef0)   "rbf" exp(−γ·|a − b|²)
  //   "poly" (γ·aᵀb + coef0)^degree   "linear" aᵀb (Eigen-CAM's projection)
  // sigmoid is pytorch-grad-cam's default.
  std::string kernel = "sigmoid";
  double gamma = 0;    // > 0, or 0 for scikit-learn's default 1 / K (K the layer's channels)
  double coef0 = 1;    // scikit-learn's default
  int64_t degree = 3;  // "poly" only, > 0; scikit-learn's default
};

// The kernels KpcaCamOptions::kernel accepts.
inline const std::vector<std::string>& kpca_kernels() {
  static const std::vector<std::string> kernels = {"sigmoid", "rbf", "poly", "linear"};
  return kernels;
}

}  // namespace camlab::cam
