#include "cam/methods/shapley_cam.h"

#include "cam/methods/gradient_cam.h"
#include "tensor/ops.h"

namespace camlab::cam {

ShapleyCam::ShapleyCam(nn::Module& model, CommonOptions common)
    : ActivationCam("shapleycam", model, std::move(common), /*needs_gradients=*/true,
                    /*always_eigen=*/false, /*needs_hessian_products=*/true) {}

Contributions ShapleyCam::contributions(const CamInputs& in, size_t layer) {
  // g − ½·H·A [N, K, h, w], then Grad-CAM's w_k = mean_ij and terms w_k·A^k.
  const Tensor corrected = ops::sub(in.gradients[layer], ops::mul(in.hessian_products[layer], 0.5));
  return gradient_cam_contributions(GradientCamKind::GradCam, in.activations[layer], corrected);
}

}  // namespace camlab::cam
