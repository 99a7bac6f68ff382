#include "cam/methods/integrated_gradients.h"

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

IntegratedGradients::IntegratedGradients(nn::Module& model, CommonOptions common,
                                         IntegratedGradientsOptions own)
    : PixelAttribution("integrated-gradients", model, std::move(common)), own_(own) {
  CAMLAB_CHECK(own_.steps > 0, "integrated-gradients: steps must be positive, got {}", own_.steps);
  check_batch_size(own_.batch_size);
}

Tensor IntegratedGradients::attribute(const Tensor& images, const Tensor& classes,
                                      const Target& target) {
  const int64_t steps = own_.steps;
  auto scaled = [steps](const Tensor& block, int64_t, int64_t k) {
    return ops::mul(block, static_cast<double>(k + 1) / static_cast<double>(steps));  // α = k/m
  };
  auto gradient = [&](const Tensor& batch, const Tensor& batch_classes) {
    return input_gradient(model(), batch, batch_classes, target, name());
  };
  Tensor sum = sum_over_copies(images, classes, steps, own_.batch_size, scaled, gradient);
  return ops::mul(images, ops::mul(sum, 1.0 / static_cast<double>(steps)));  // (x − 0)·mean
}

}  // namespace camlab::cam
