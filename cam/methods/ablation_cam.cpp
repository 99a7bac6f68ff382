#include "cam/methods/ablation_cam.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "autograd/grad_mode.h"
#include "cam/methods/layers.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// |y| below this divides by ±1e-7 instead (the reference's "ε 1e-7 is safe").
constexpr double kScoreEps = 1e-7;

}  // namespace

AblationCam::AblationCam(nn::Module& model, CommonOptions common, AblationCamOptions own)
    : ActivationCam("ablationcam", model, std::move(common), /*needs_gradients=*/false), own_(own) {
  check_batch_size(own_.batch_size);
}

Contributions AblationCam::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];  // [N, K, h, w]
  const int64_t n = a.size(0), k = a.size(1);
  const Tensor host_classes = in.classes.to(Device::cpu()).contiguous();
  const int64_t* classes = host_classes.data<int64_t>();

  autograd::NoGradGuard no_grad;
  // The mask of the batch being run: [M, K, 1, 1], zero at each row's ablated channel.
  Tensor mask;
  nn::ScopedForwardHook ablate =
      find_layer(model(), in.layers[layer], name())
          .register_forward_hook([&mask](nn::Module&, const Tensor&, const Tensor& output) {
            return mask.defined() ? ops::mul(output, mask) : Tensor();
          });
  std::vector<Tensor> chunks;
  for (int64_t start = 0; start < n * k; start += own_.batch_size) {
    const int64_t count = std::min(own_.batch_size, n * k - start);
    std::vector<int64_t> image_of(static_cast<size_t>(count)), class_of(static_cast<size_t>(count));
    std::vector<double> keep(static_cast<size_t>(count * k), 1.0);
    for (int64_t i = 0; i < count; ++i) {
      image_of[i] = (start + i) / k;
      class_of[i] = classes[image_of[i]];
      keep[i * k + (start + i) % k] = 0.0;
    }
    mask = Tensor::from_vector(keep, {count, k, 1, 1}).to(a.dtype()).to(a.device());
    Tensor index = Tensor::from_vector(image_of, {count}).to(a.device());
    Tensor logits = model()(ops::index_select(in.images, 0, index));
    chunks.push_back(
        in.target->scores(logits, Tensor::from_vector(class_of, {count}).to(a.device()), name()));
  }
  mask = Tensor();
  Tensor ablated = ops::cat(chunks, 0).reshape({n, k});                         // y_k [N, K]
  Tensor y = in.target->scores(in.logits, in.classes, name()).reshape({n, 1});  // [N, 1]
  // Keep the sign of y, never divide by less than 1e-7 in magnitude.
  Tensor tiny = ops::lt(ops::abs(y), kScoreEps);
  Tensor signed_eps =
      ops::where(ops::lt(y, 0.0), ops::full_like(y, -kScoreEps), ops::full_like(y, kScoreEps));
  Tensor denominator = ops::where(tiny, signed_eps, y);
  Tensor weights = ops::div(ops::sub(y, ablated), denominator);  // Desai & Ramaswamy 2020 eq. 3
  return {ops::mul(weights.reshape({n, k, 1, 1}), a), weights};
}

}  // namespace camlab::cam
