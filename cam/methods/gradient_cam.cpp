#include "cam/methods/gradient_cam.h"

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

constexpr double kGradCamPlusPlusEps = 1e-6;  // pytorch-grad-cam's grad_cam_plusplus.py
constexpr double kXGradCamEps = 1e-7;         // pytorch-grad-cam's xgrad_cam.py

// [N, K, 1, 1] channel weights -> {w ⊙ A, w as [N, K]}
Contributions weigh_channels(const Tensor& w4, const Tensor& a) {
  return {ops::mul(w4, a), w4.reshape({a.size(0), a.size(1)})};
}

// Chattopadhay et al. 2018 eq. 19 with the exp score, whose exp(S) factor cancels:
// α = g² / (2g² + Σ_ab A_ab · g³ + ε), α = 0 where g = 0; w_k = Σ_ij α·ReLU(g).
Tensor gradcam_plus_plus_weights(const Tensor& a, const Tensor& g) {
  Tensor g2 = ops::mul(g, g);
  Tensor g3 = ops::mul(g2, g);
  Tensor sum_a = ops::sum(a, {2, 3}, true);  // [N, K, 1, 1]
  Tensor denominator =
      ops::add(ops::add(ops::mul(g2, 2.0), ops::mul(sum_a, g3)), kGradCamPlusPlusEps);
  Tensor alpha = ops::div(g2, denominator);
  alpha = ops::where(ops::ne(g, ops::zeros_like(g)), alpha, ops::zeros_like(alpha));
  return ops::sum(ops::mul(alpha, ops::relu(g)), {2, 3}, true);
}

// Fu et al. 2020 eq. 9: w_k = Σ_ij g_ij · A_ij / (Σ_ab A_ab + ε).
Tensor xgradcam_weights(const Tensor& a, const Tensor& g) {
  Tensor sum_a = ops::add(ops::sum(a, {2, 3}, true), kXGradCamEps);  // [N, K, 1, 1]
  return ops::sum(ops::div(ops::mul(g, a), sum_a), {2, 3}, true);
}

}  // namespace

Contributions gradient_cam_contributions(GradientCamKind kind, const Tensor& a, const Tensor& g) {
  CAMLAB_CHECK(a.dim() == 4 && a.shape() == g.shape(),
               "gradient_cam_contributions: activations {} and gradients {} must both be "
               "[N, K, h, w]",
               shape_str(a.shape()), shape_str(g.shape()));
  switch (kind) {
    case GradientCamKind::GradCam: return weigh_channels(ops::mean(g, {2, 3}, true), a);
    case GradientCamKind::GradCamPlusPlus:
      return weigh_channels(gradcam_plus_plus_weights(a, g), a);
    case GradientCamKind::XGradCam: return weigh_channels(xgradcam_weights(a, g), a);
    case GradientCamKind::LayerCam: return {ops::mul(ops::relu(g), a), Tensor()};
    case GradientCamKind::HiResCam:
    case GradientCamKind::EigenGradCam: return {ops::mul(g, a), Tensor()};
    case GradientCamKind::ElementWise: return {ops::relu(ops::mul(g, a)), Tensor()};
  }
  fail("gradient_cam_contributions: unknown kind");
}

GradientCam::GradientCam(GradientCamKind kind, std::string name, nn::Module& model,
                         CommonOptions common)
    : ActivationCam(std::move(name), model, std::move(common), /*needs_gradients=*/true,
                    /*always_eigen=*/kind == GradientCamKind::EigenGradCam),
      kind_(kind) {}

Contributions GradientCam::contributions(const CamInputs& in, size_t layer) {
  return gradient_cam_contributions(kind_, in.activations[layer], in.gradients[layer]);
}

}  // namespace camlab::cam
