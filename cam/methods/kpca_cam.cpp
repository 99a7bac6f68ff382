#include "cam/methods/kpca_cam.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cam/methods/layers.h"
#include "cam/methods/map_ops.h"
#include "tensor/error.h"

namespace camlab::cam {
namespace {

enum class Kernel { Sigmoid, Rbf, Poly, Linear };

Kernel kernel_of(const std::string& name) {
  if (name == "sigmoid") return Kernel::Sigmoid;
  if (name == "rbf") return Kernel::Rbf;
  if (name == "poly") return Kernel::Poly;
  if (name == "linear") return Kernel::Linear;
  fail("kpcacam: unknown kernel '{}'; valid kernels: {}", name,
       join_names(kpca_kernels(), kpca_kernels().size()));
}

// G [hw, hw] of the centred points X_c (stored [K, hw]): k(a_i, a_j) from their dot products.
std::vector<double> kernel_matrix(const std::vector<double>& centred, int64_t k, int64_t hw,
                                  const KpcaCamOptions& options) {
  const Kernel kernel = kernel_of(options.kernel);
  const double gamma = options.gamma > 0 ? options.gamma : 1.0 / static_cast<double>(k);
  std::vector<double> dot(static_cast<size_t>(hw * hw), 0.0);  // aᵢᵀaⱼ
  for (int64_t c = 0; c < k; ++c) {
    const double* row = centred.data() + c * hw;
    for (int64_t i = 0; i < hw; ++i) {
      for (int64_t j = i; j < hw; ++j) dot[i * hw + j] += row[i] * row[j];
    }
  }
  std::vector<double> g(dot.size());
  for (int64_t i = 0; i < hw; ++i) {
    for (int64_t j = i; j < hw; ++j) {
      const double ab = dot[i * hw + j];
      double value = ab;
      switch (kernel) {
        case Kernel::Sigmoid: value = std::tanh(gamma * ab + options.coef0); break;
        case Kernel::Rbf:  // |a − b|² = aᵀa + bᵀb − 2aᵀb
          value = std::exp(-gamma * std::max(dot[i * hw + i] + dot[j * hw + j] - 2 * ab, 0.0));
          break;
        case Kernel::Poly:
          value = std::pow(gamma * ab + options.coef0, static_cast<double>(options.degree));
          break;
        case Kernel::Linear: break;
      }
      g[i * hw + j] = g[j * hw + i] = value;
    }
  }
  return g;
}

// G̃ = G − 1G − G1 + 1G1 (scikit-learn's KernelCenterer): the points centred in feature space.
void centre_kernel(std::vector<double>& g, int64_t hw) {
  std::vector<double> row_mean(static_cast<size_t>(hw), 0.0);  // = column means: G is symmetric
  double total = 0;
  for (int64_t i = 0; i < hw; ++i) {
    for (int64_t j = 0; j < hw; ++j) row_mean[i] += g[i * hw + j];
    total += row_mean[i];
    row_mean[i] /= static_cast<double>(hw);
  }
  total /= static_cast<double>(hw * hw);
  for (int64_t i = 0; i < hw; ++i) {
    for (int64_t j = 0; j < hw; ++j) g[i * hw + j] += total - row_mean[i] - row_mean[j];
  }
}

}  // namespace

Tensor kernel_first_component(const Tensor& terms, const KpcaCamOptions& options) {
  CAMLAB_CHECK(terms.dim() == 4, "kernel_first_component: terms must be [N, K, h, w], got {}",
               shape_str(terms.shape()));
  kernel_of(options.kernel);  // a bad name fails before any work
  return project_images(terms, [&options](const double* x, int64_t k, int64_t hw) {
    std::vector<double> g = kernel_matrix(centre_channels(x, k, hw), k, hw, options);
    centre_kernel(g, hw);
    const Eigenpair top = top_eigenpair(std::move(g), hw);
    const double scale = std::sqrt(std::max(top.value, 0.0));
    std::vector<double> p(static_cast<size_t>(hw));
    for (int64_t i = 0; i < hw; ++i) p[i] = scale * top.vector[i];
    orient_like_mean_activation(p, x, k, hw);
    return p;
  });
}

KpcaCam::KpcaCam(nn::Module& model, CommonOptions common, KpcaCamOptions own)
    : ActivationCam("kpcacam", model, without_eigen_smooth(std::move(common)),
                    /*needs_gradients=*/false),
      own_(std::move(own)) {
  kernel_of(own_.kernel);
  CAMLAB_CHECK(
      own_.gamma >= 0 && std::isfinite(own_.gamma) && std::isfinite(own_.coef0) && own_.degree > 0,
      "kpcacam: gamma must be >= 0 (0: 1 / channels), coef0 finite and degree > 0, got "
      "gamma {}, coef0 {}, degree {}",
      own_.gamma, own_.coef0, own_.degree);
}

Contributions KpcaCam::contributions(const CamInputs& in, size_t layer) {
  // One term per image, the projection [N, 1, h, w]: the base's sum and ReLU leave ReLU(p).
  return {kernel_first_component(in.activations[layer], own_).unsqueeze(1), Tensor()};
}

}  // namespace camlab::cam
