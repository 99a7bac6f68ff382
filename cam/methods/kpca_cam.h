// KPCA-CAM (Karmani et al. 2024, "KPCA-CAM: Visual explainability of deep computer vision models
// using kernel PCA"), as pytorch-grad-cam's kpca_cam.py: Eigen-CAM with kernel PCA in place of
// PCA. Each image's activations as h·w points in R^K (columns centred, as Eigen-CAM), the kernel
// matrix G_ij = k(a_i, a_j) [hw, hw] centred in feature space,
//   G̃ = G − 1G − G1 + 1G1   (1 the hw x hw matrix of 1/hw),
// and the map is the points' coordinate on its first component, p = √λ₁·u₁ (scikit-learn's
// KernelPCA(n_components = 1).fit_transform), sign fixed as Eigen-CAM's, then ReLU.
// Class-agnostic, no gradients; eigen_smooth has no effect (the map is a projection already).
//
//   KpcaCam kpca(*model, {.layers = {"relu4"}}, {.kernel = "rbf"});
//   Explanation e = kpca.explain(images);
//   Tensor p = kernel_first_component(A, {.kernel = "linear"});   // = first_component(A)
#pragma once

#include "cam/methods/activation_cam.h"
#include "cam/methods/kpca_cam_options.h"

namespace camlab::cam {

// terms [N, K, h, w] -> p [N, h, w], before the ReLU. O((h·w)³) per image (top_eigenpair).
Tensor kernel_first_component(const Tensor& terms, const KpcaCamOptions& options);

class KpcaCam : public ActivationCam {
 public:
  KpcaCam(nn::Module& model, CommonOptions common = {}, KpcaCamOptions own = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  KpcaCamOptions own_;
};

}  // namespace camlab::cam
