#include "cam/methods/finer_cam.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "autograd/ops.h"
#include "cam/methods/gradient_cam.h"
#include "tensor/error.h"

namespace camlab::cam {
namespace {

// pytorch-grad-cam's FinerWeightedTarget: numerator / (Σ p_j + 1e-9).
constexpr double kWeightEps = 1e-9;

// int64 [N, m]: per image the m classes other than its own with the closest logits.
Tensor similar_classes(const Tensor& logits, const Tensor& classes, int64_t m) {
  const int64_t n = logits.size(0), k = logits.size(1);
  const Tensor y = camlab::detach(logits).to(Device::cpu()).to(DType::Float64).contiguous();
  const Tensor c = classes.to(Device::cpu()).contiguous();
  std::vector<int64_t> chosen;
  chosen.reserve(static_cast<size_t>(n * m));
  std::vector<int64_t> order;  // the other classes of one image, k − 1 of them
  for (int64_t i = 0; i < n; ++i) {
    const double* row = y.data<double>() + i * k;
    const int64_t own = c.data<int64_t>()[i];
    order.resize(static_cast<size_t>(k));
    std::iota(order.begin(), order.end(), 0);
    order.erase(order.begin() + own);
    std::stable_sort(order.begin(), order.end(), [row, own](int64_t a, int64_t b) {
      return std::abs(row[a] - row[own]) < std::abs(row[b] - row[own]);
    });
    chosen.insert(chosen.end(), order.begin(), order.begin() + m);
  }
  return Tensor::from_vector(chosen, {n, m}).to(logits.device());
}

}  // namespace

ScoreFn finer_score(const FinerCamOptions& options, std::string method) {
  return [options, method](const Tensor& logits, const Tensor& classes) {
    const int64_t k = logits.size(1);
    CAMLAB_CHECK(k >= 2,
                 "{}: the model has {} class, but Finer-CAM contrasts the target with "
                 "other classes; use gradcam for a single output",
                 method, k);
    const int64_t m = std::min(options.comparisons, k - 1);
    const Tensor similar = similar_classes(logits, classes, m);                 // int64 [N, m]
    const Tensor target = camlab::gather(logits, 1, classes.reshape({-1, 1}));  // [N, 1]
    const Tensor rivals = camlab::gather(logits, 1, similar);                   // [N, m]
    const Tensor p = camlab::gather(camlab::softmax(logits, 1), 1, similar);    // [N, m]
    const Tensor numerator = camlab::sum(p * (target - rivals * options.alpha), {1});  // [N]
    return numerator / (camlab::sum(p, {1}) + kWeightEps);
  };
}

FinerCam::FinerCam(nn::Module& model, CommonOptions common, FinerCamOptions own)
    : ActivationCam("finercam", model, std::move(common), /*needs_gradients=*/true), own_(own) {
  CAMLAB_CHECK(std::isfinite(own_.alpha) && own_.comparisons > 0,
               "finercam: alpha must be finite and comparisons a positive class count, got alpha "
               "{} and comparisons {}",
               own_.alpha, own_.comparisons);
}

Explanation FinerCam::compute(const Tensor& images, const Target& target) {
  return ActivationCam::compute(images, target.with_score(finer_score(own_, name())));
}

Contributions FinerCam::contributions(const CamInputs& in, size_t layer) {
  return gradient_cam_contributions(GradientCamKind::GradCam, in.activations[layer],
                                    in.gradients[layer]);
}

}  // namespace camlab::cam
