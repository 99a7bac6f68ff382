#include "cam/visualize/penalties.h"

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/error.h"

namespace camlab::cam::visualize {
namespace {

void check_images(const Tensor& images, const char* op) {
  CAMLAB_CHECK(images.defined() && images.dim() == 4, "{}: expected images [B, C, H, W], got {}",
               op, images.defined() ? shape_str(images.shape()) : "undefined");
}

}  // namespace

Tensor l1_penalty(const Tensor& images) {
  check_images(images, "l1_penalty");
  return camlab::mean(camlab::abs(images), {1, 2, 3});
}

Tensor l2_penalty(const Tensor& images) {
  check_images(images, "l2_penalty");
  return camlab::mean(images * images, {1, 2, 3});
}

Tensor tv_penalty(const Tensor& images) {
  check_images(images, "tv_penalty");
  const int64_t height = images.size(2);
  const int64_t width = images.size(3);
  Tensor total = camlab::mean(images, {1, 2, 3}) * 0.0;  // [B] zeros on the graph's device
  if (height > 1) {
    const Tensor dy = camlab::narrow(images, 2, 1, height - 1) -
                      camlab::narrow(images, 2, 0, height - 1);  // [B, C, H-1, W]
    total = total + camlab::mean(camlab::abs(dy), {1, 2, 3});
  }
  if (width > 1) {
    const Tensor dx = camlab::narrow(images, 3, 1, width - 1) -
                      camlab::narrow(images, 3, 0, width - 1);  // [B, C, H, W-1]
    total = total + camlab::mean(camlab::abs(dx), {1, 2, 3});
  }
  return total;
}

Tensor diversity_penalty(const Tensor& activations) {
  CAMLAB_CHECK(activations.defined() && activations.dim() == 4,
               "diversity_penalty: expected activations [B, K, h, w], got {}",
               activations.defined() ? shape_str(activations.shape()) : "undefined");
  const int64_t batch = activations.size(0);
  const int64_t channels = activations.size(1);
  const Tensor flat = camlab::reshape(activations, {batch, channels, -1});  // [B, K, hw]
  const Tensor gram = camlab::matmul(flat, camlab::transpose(flat, 1, 2));  // [B, K, K]
  const Tensor rows = camlab::reshape(gram, {batch, channels * channels});  // [B, K²]
  // Ĝ = G / ‖G‖ with Lucid's ε = 1e-10 inside the norm.
  const Tensor norms = camlab::sqrt(camlab::sum(rows * rows, {1}, true) + 1e-10);  // [B, 1]
  const Tensor unit = rows / norms;                                                // [B, K²]
  const Tensor similarity = camlab::matmul(unit, camlab::transpose(unit, 0, 1));   // [B, B]
  const Tensor self = camlab::sum(unit * unit);  // Σ_b ⟨Ĝ_b, Ĝ_b⟩ (≈ B)
  return camlab::sum(similarity) - self;
}

PenaltyValues measure_penalties(const Tensor& images) {
  autograd::NoGradGuard no_grad;
  return {.l1 = camlab::mean(l1_penalty(images)).item(),
          .l2 = camlab::mean(l2_penalty(images)).item(),
          .tv = camlab::mean(tv_penalty(images)).item()};
}

}  // namespace camlab::cam::visualize
