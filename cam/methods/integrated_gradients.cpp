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
  const double baseline = own_.baseline;
  // The path x' + α(x − x') at α = k/m, k = 1..m; x − x' is x itself for the black baseline.
  const Tensor offset = baseline == 0.0 ? images : ops::add(images, -baseline);  // x − x'
  auto scaled = [steps, baseline](const Tensor& block, int64_t, int64_t k) {
    const double alpha = static_cast<double>(k + 1) / static_cast<double>(steps);
    if (baseline == 0.0) return ops::mul(block, alpha);
    return ops::add(ops::mul(ops::add(block, -baseline), alpha), baseline);
  };
  auto gradient = [&](const Tensor& batch, const Tensor& batch_classes) {
    return input_gradient(model(), batch, batch_classes, target, name());
  };
  Tensor sum = sum_over_copies(images, classes, steps, own_.batch_size, scaled, gradient);
  return ops::mul(offset, ops::mul(sum, 1.0 / static_cast<double>(steps)));  // (x − x')·mean
}

}  // namespace camlab::cam
