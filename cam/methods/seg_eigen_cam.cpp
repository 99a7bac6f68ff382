#include "cam/methods/seg_eigen_cam.h"

#include <algorithm>
#include <cmath>

#include "cam/methods/map_ops.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

Tensor sign_corrected_component(const Tensor& terms) {
  CAMLAB_CHECK(terms.dim() == 4, "sign_corrected_component: terms must be [N, K, h, w], got {}",
               shape_str(terms.shape()));
  return project_images(terms, [](const double* x, int64_t k, int64_t hw) {
    std::vector<double> p = principal_projection(x, k, hw);
    const auto [low, high] = std::minmax_element(p.begin(), p.end());
    if (std::abs(*low) > std::abs(*high)) {
      for (double& value : p) value = -value;
    }
    return p;
  });
}

SegEigenCam::SegEigenCam(nn::Module& model, CommonOptions common)
    : ActivationCam("segeigencam", model, without_eigen_smooth(std::move(common)),
                    /*needs_gradients=*/true) {}

Contributions SegEigenCam::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];                             // [N, K, h, w]
  const Tensor weighted = ops::mul(ops::abs(in.gradients[layer]), a);  // [N, K, h, w]
  // One term per image, the projection [N, 1, h, w]: the base's sum and ReLU leave ReLU(p).
  return {sign_corrected_component(weighted).unsqueeze(1), Tensor()};
}

}  // namespace camlab::cam
