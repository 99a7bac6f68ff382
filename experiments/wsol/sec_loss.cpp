#include "experiments/wsol/sec_loss.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "autograd/ops.h"

namespace camlab::experiments {
namespace {

// Keeps log away from 0 (SEC's Caffe layer clips probabilities the same way).
constexpr double kProbabilityFloor = 1e-5;
// Only keeps 0·log 0 at 0 in Σ Q log Q (representable in float32, 1e-30·log 1e-30 ≈ −7e-29).
constexpr double kEntropyFloor = 1e-30;

// Descending-order indices of every row of x [R, P] (the ranking is not differentiated).
Tensor rank_indices(const Tensor& x) {
  const Tensor values = x.to(Device::cpu()).to(DType::Float64).contiguous();  // [R, P]
  const int64_t rows = values.size(0), p = values.size(1);
  Tensor order = Tensor::empty({rows, p}, DType::Int64);  // [R, P]
  const double* v = values.data<double>();
  int64_t* out = order.data<int64_t>();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t* row = out + r * p;
    std::iota(row, row + p, 0);
    std::stable_sort(row, row + p,
                     [&](int64_t a, int64_t b) { return v[r * p + a] > v[r * p + b]; });
  }
  return order.to(x.device());
}

// Weights d^(j−1) / Σ_j d^(j−1) of every row: [R, P].
Tensor rank_weights(const std::vector<double>& decays, int64_t p, DType dtype, Device device) {
  const auto rows = static_cast<int64_t>(decays.size());
  Tensor w = Tensor::empty({rows, p}, DType::Float64);  // [R, P]
  double* out = w.data<double>();
  for (int64_t r = 0; r < rows; ++r) {
    double power = 1, total = 0;
    for (int64_t j = 0; j < p; ++j) out[r * p + j] = power, total += power, power *= decays[r];
    for (int64_t j = 0; j < p; ++j) out[r * p + j] /= total;
  }
  return w.to(dtype).to(device);
}

}  // namespace

Tensor global_weighted_rank_pooling(const Tensor& scores, const std::vector<double>& decays) {
  CAMLAB_CHECK(
      scores.dim() == 3 && static_cast<int64_t>(decays.size()) == scores.size(0) * scores.size(1),
      "global_weighted_rank_pooling: scores {} with {} decays; expected [N, C, P] and "
      "N·C decays",
      shape_str(scores.shape()), decays.size());
  for (double d : decays) {
    CAMLAB_CHECK(d >= 0 && d <= 1, "global_weighted_rank_pooling: decay {} outside [0, 1]", d);
  }
  const int64_t n = scores.size(0), c = scores.size(1), p = scores.size(2);
  Tensor rows = camlab::reshape(scores, {n * c, p});                          // [R, P]
  Tensor sorted = camlab::gather(rows, 1, rank_indices(detach(rows)));        // [R, P]
  Tensor weights = rank_weights(decays, p, scores.dtype(), scores.device());  // [R, P]
  return camlab::reshape(camlab::sum(camlab::mul(sorted, weights), {1}), {n, c});
}

Tensor seed_loss(const Tensor& logits, const Tensor& seeds) {
  CAMLAB_CHECK(logits.dim() == 4 && seeds.dim() == 3 && seeds.dtype() == DType::UInt8 &&
                   seeds.size(0) == logits.size(0) && seeds.size(1) == logits.size(2) &&
                   seeds.size(2) == logits.size(3),
               "seed_loss: logits {} and seeds {} {}; expected [N, K + 1, H, W] and uint8 "
               "[N, H, W]",
               shape_str(logits.shape()), dtype_name(seeds.dtype()), shape_str(seeds.shape()));
  const int64_t labels = logits.size(1);
  Tensor seeded = ops::lt(seeds.to(DType::Int64), static_cast<double>(labels));  // [N, H, W] bool
  Tensor target =
      ops::where(seeded, seeds.to(DType::Int64), ops::zeros_like(seeds).to(DType::Int64));
  // One-hot rows of unseeded pixels are zeroed, so they add nothing to the sum.
  Tensor one_hot = ops::mul(ops::one_hot(target, labels, logits.dtype()),
                            seeded.to(logits.dtype()).unsqueeze(3));  // [N, H, W, K + 1]
  one_hot = one_hot.permute({0, 3, 1, 2}).to(logits.device());        // [N, K + 1, H, W]
  const double count = ops::sum(seeded.to(DType::Float64)).item();
  if (count == 0) return camlab::mul(camlab::sum(logits), 0.0);
  Tensor picked = camlab::sum(camlab::mul(camlab::log_softmax(logits, 1), one_hot));
  return camlab::mul(picked, -1.0 / count);
}

Tensor expand_loss(const Tensor& probs, const Tensor& present_in) {
  CAMLAB_CHECK(probs.dim() == 4 && present_in.dim() == 2 && present_in.size(0) == probs.size(0) &&
                   present_in.size(1) + 1 == probs.size(1),
               "expand_loss: probs {} and present {}; expected [N, K + 1, H, W] and [N, K]",
               shape_str(probs.shape()), shape_str(present_in.shape()));
  const int64_t n = probs.size(0), c = probs.size(1);
  const Tensor present = present_in.to(Device::cpu()).to(DType::Float64).contiguous();  // [N, K]
  std::vector<double> decays;
  // Per (image, channel) weights of log G (present, background) and of log(1 − G) (absent).
  Tensor pos_w = ops::zeros({n, c}, DType::Float64);  // [N, K + 1]
  Tensor neg_w = ops::zeros({n, c}, DType::Float64);  // [N, K + 1]
  for (int64_t i = 0; i < n; ++i) {
    const double* row = present.data<double>() + i * (c - 1);
    const auto shown =
        static_cast<double>(std::count_if(row, row + c - 1, [](double v) { return v > 0.5; }));
    const double absent = static_cast<double>(c - 1) - shown;
    decays.push_back(kDecayBackground);
    pos_w.data<double>()[i * c] = 1.0;  // −log G_bg
    for (int64_t k = 0; k < c - 1; ++k) {
      const bool on = row[k] > 0.5;
      decays.push_back(on ? kDecayPresent : kDecayAbsent);
      if (on) pos_w.data<double>()[i * c + k + 1] = 1.0 / shown;
      if (!on) neg_w.data<double>()[i * c + k + 1] = 1.0 / absent;
    }
  }
  Tensor g = global_weighted_rank_pooling(
      camlab::reshape(probs, {n, c, probs.size(2) * probs.size(3)}), decays);  // [N, K + 1]
  g = camlab::clamp(g, kProbabilityFloor, 1.0 - kProbabilityFloor);
  Tensor pos = pos_w.to(probs.dtype()).to(probs.device());
  Tensor neg = neg_w.to(probs.dtype()).to(probs.device());
  Tensor terms = camlab::add(camlab::mul(camlab::log(g), pos),
                             camlab::mul(camlab::log(camlab::add(camlab::neg(g), 1.0)), neg));
  return camlab::mul(camlab::sum(terms), -1.0 / static_cast<double>(n));
}

Tensor constrain_loss(const Tensor& logits, const Tensor& refined) {
  CAMLAB_CHECK(logits.dim() == 4 && refined.shape() == logits.shape(),
               "constrain_loss: logits {} and CRF output {}; expected both [N, L, H, W]",
               shape_str(logits.shape()), shape_str(refined.shape()));
  const double pixels = static_cast<double>(logits.size(0) * logits.size(2) * logits.size(3));
  const Tensor q = detach(refined).to(logits.dtype()).to(logits.device());  // [N, L, H, W]
  // Σ Q log Q is a constant of the loss (Q is), kept so that the value is the KL itself (≥ 0).
  const double q_entropy =
      ops::sum(ops::mul(q, ops::log(ops::clamp(q, kEntropyFloor, 1.0)))).item();
  Tensor cross = camlab::sum(camlab::mul(camlab::log_softmax(logits, 1), q));
  return camlab::mul(camlab::add(camlab::neg(cross), q_entropy), 1.0 / pixels);
}

}  // namespace camlab::experiments
