#include "cam/methods/random_cam.h"

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

RandomCam::RandomCam(nn::Module& model, CommonOptions common, RandomCamOptions own)
    : ActivationCam("randomcam", model, std::move(common), /*needs_gradients=*/false),
      generator_(own.seed) {}

Explanation RandomCam::explain_with_weights(const Tensor& images, const Target& target,
                                            const Tensor& weights) {
  given_weights_ = weights;
  try {
    Explanation out = explain(images, target);
    given_weights_ = Tensor();
    return out;
  } catch (...) {
    given_weights_ = Tensor();
    throw;
  }
}

Contributions RandomCam::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];  // [N, K, h, w]
  const int64_t n = a.size(0), k = a.size(1);
  Tensor weights;
  if (given_weights_.defined()) {
    CAMLAB_CHECK(
        given_weights_.dim() == 2 && given_weights_.size(0) == n && given_weights_.size(1) == k,
        "{}: given weights are {} but layer '{}' needs [{}, {}]", name(),
        shape_str(given_weights_.shape()), in.layers[layer], n, k);
    weights = given_weights_.to(a.dtype()).to(a.device());
  } else {
    weights = ops::uniform({n, k}, -1.0, 1.0, generator_, a.dtype(), a.device());
  }
  return {ops::mul(weights.reshape({n, k, 1, 1}), a), weights};
}

}  // namespace camlab::cam
