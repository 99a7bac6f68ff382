#include "cam/methods/fem.h"

#include <cmath>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

Tensor fem_weights(const Tensor& activations, double k) {
  // μ and σ per channel [N, K, 1, 1]; σ is numpy's std (ddof 0), as pytorch-grad-cam.
  const Tensor mean = ops::mean(activations, {2, 3}, true);
  const Tensor std = ops::std(activations, {2, 3}, /*correction=*/0, true);
  const Tensor threshold = ops::add(mean, ops::mul(std, k));
  const Tensor on = ops::gt(activations, threshold).to(activations.dtype());  // [N, K, h, w]
  return ops::mean(on, {2, 3});                                               // [N, K]
}

Fem::Fem(nn::Module& model, CommonOptions common, FemOptions own)
    : ActivationCam("fem", model, std::move(common), /*needs_gradients=*/false), own_(own) {
  CAMLAB_CHECK(std::isfinite(own_.k),
               "fem: k must be a finite number of standard deviations, got {}", own_.k);
}

Contributions Fem::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];        // [N, K, h, w]
  const Tensor weights = fem_weights(a, own_.k);  // [N, K]
  return {ops::mul(weights.reshape({a.size(0), a.size(1), 1, 1}), a), weights};
}

}  // namespace camlab::cam
