// Differentiable losses, each reduced to the mean over the batch as PyTorch's reduction="mean".
// Forwards are fused and stable (log_softmax; the softplus form of BCE); backwards are the direct
// formulas (softmax − one-hot, scaled), not the chain rule through the forward's pieces.
#include <string>

#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// scores: [N, C, d1, ..] floating; target: int64 [N, d1, ..] in [0, C); weight: [C] or undefined.
void check_class_inputs(const char* op, const Tensor& scores, const Tensor& target,
                        const Tensor& weight) {
  CAMLAB_CHECK(scores.defined() && target.defined(), "{}: an input is undefined", op);
  CAMLAB_CHECK(scores.dim() >= 2 && is_floating(scores.dtype()),
               "{}: scores must be floating [N, C] or [N, C, H, W], got {} {}", op,
               dtype_name(scores.dtype()), shape_str(scores.shape()));
  Shape want = scores.shape();
  want.erase(want.begin() + 1);
  CAMLAB_CHECK(target.dtype() == DType::Int64 && target.shape() == want,
               "{}: target must be int64 {} (class indices) for scores {}, got {} {}", op,
               shape_str(want), shape_str(scores.shape()), dtype_name(target.dtype()),
               shape_str(target.shape()));
  const int64_t classes = scores.size(1);
  CAMLAB_CHECK(!weight.defined() || weight.shape() == Shape{classes},
               "{}: weight must be [{}] (one per class of scores {}), got {}", op, classes,
               shape_str(scores.shape()), shape_str(weight.shape()));
  if (target.numel() == 0) return;
  const auto low = static_cast<int64_t>(ops::amin(target).item());
  const auto high = static_cast<int64_t>(ops::amax(target).item());
  CAMLAB_CHECK(low >= 0 && high < classes,
               "{}: target holds class {} but scores {} have {} classes (valid 0..{})", op,
               low < 0 ? low : high, shape_str(scores.shape()), classes, classes - 1);
}

// The coefficients of −log p in the loss: loss = −Σ coef ⊙ log p / W with
//   coef[n, c, ..] = (1 − ε)·w_t·1[c = t] + (ε/C)·w_c,   W = Σ_n w_{t_n}  (N·d1·.. unweighted).
// W is PyTorch's weighted-mean denominator; label smoothing (Szegedy et al. 2016, §7) mixes the
// one-hot target with the uniform distribution and is normalised by the same W, as PyTorch does.
struct ClassCoefficients {
  Tensor coef;          // like scores
  Tensor total_weight;  // 0-d
};

ClassCoefficients class_coefficients(const Tensor& target, const Tensor& weight,
                                     const Shape& scores_shape, double smoothing, DType dtype) {
  const int64_t classes = scores_shape[1];
  const Device device = target.device();
  Shape along(scores_shape.size(), 1);  // [1, C, 1, ..]
  along[1] = classes;
  Tensor positions = ops::arange(0, double(classes), 1, DType::Int64, device).reshape(along);
  Tensor onehot = ops::eq(positions, target.unsqueeze(1)).to(dtype);  // [N, C, ..]
  Tensor w = weight.defined() ? weight.to(dtype).reshape(along) : Tensor();
  Tensor picked = w.defined() ? ops::mul(onehot, w) : onehot;  // w_t·1[c = t]
  ClassCoefficients k;
  k.total_weight =
      w.defined() ? ops::sum(picked) : ops::scalar(double(target.numel()), dtype, device);
  if (smoothing == 0) {
    k.coef = picked;
  } else {
    Tensor scaled = ops::mul(picked, 1 - smoothing);
    const double uniform = smoothing / double(classes);
    k.coef = w.defined() ? ops::add(scaled, ops::mul(w, uniform)) : ops::add(scaled, uniform);
  }
  return k;
}

// −Σ coef ⊙ log p / W as a 0-d tensor.
Tensor weighted_nll(const ClassCoefficients& k, const Tensor& log_probs) {
  return ops::div(ops::neg(ops::sum(ops::mul(k.coef, log_probs))), k.total_weight);
}

void check_same_shape(const char* op, const Tensor& x, const Tensor& target) {
  CAMLAB_CHECK(x.defined() && target.defined(), "{}: an input is undefined", op);
  CAMLAB_CHECK(is_floating(x.dtype()) && x.shape() == target.shape(),
               "{}: input {} {} and target {} {} must be floating tensors of one shape", op,
               dtype_name(x.dtype()), shape_str(x.shape()), dtype_name(target.dtype()),
               shape_str(target.shape()));
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const Tensor& weight,
                     double label_smoothing) {
  const RawOpScope raw_forward;
  check_class_inputs("cross_entropy", logits, target, weight);
  CAMLAB_CHECK(label_smoothing >= 0 && label_smoothing <= 1,
               "cross_entropy: label_smoothing must be in [0, 1], got {}", label_smoothing);
  Tensor log_probs = ops::log_softmax(logits, 1);  // [N, C, ..]
  Tensor loss = weighted_nll(
      class_coefficients(target, weight, logits.shape(), label_smoothing, logits.dtype()),
      log_probs);
  // dZ = (p · Σ_c coef − coef) · dY / W with p = exp(log p), the derivative of −Σ coef·log p.
  // Saves log p and what rebuilds coef (target, weight), not a coef tensor as large as the logits;
  // the logits themselves (a reference) for the differentiable form, whose p must be recorded.
  return autograd::record(
      "cross_entropy", {logits}, loss,
      {{"log_probs", log_probs}, {"logits", logits}, {"target", target}, {"weight", weight}},
      [label_smoothing](const BackwardContext& ctx) -> Grads {
        const Tensor& log_probs = ctx.saved("log_probs");
        ClassCoefficients k =
            class_coefficients(ctx.saved("target"), ctx.saved("weight"), log_probs.shape(),
                               label_smoothing, log_probs.dtype());
        Tensor scale = ops::div(ctx.grad(0), k.total_weight);  // 0-d
        Tensor spread = ops::mul(ops::exp(log_probs), ops::sum(k.coef, {1}, true));
        return {ops::mul(ops::sub(spread, k.coef), scale)};
      },
      [label_smoothing](const BackwardContext& ctx) -> Grads {
        const Tensor& logits = ctx.saved("logits");
        ClassCoefficients k = class_coefficients(ctx.saved("target"), ctx.saved("weight"),
                                                 logits.shape(), label_smoothing, logits.dtype());
        Tensor scale = camlab::div(ctx.grad(0), k.total_weight);  // 0-d
        Tensor spread = camlab::mul(camlab::softmax(logits, 1), ops::sum(k.coef, {1}, true));
        return {camlab::mul(camlab::sub(spread, k.coef), scale)};
      });
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const Tensor& weight) {
  const RawOpScope raw_forward;
  check_class_inputs("nll_loss", log_probs, target, weight);
  Tensor loss = weighted_nll(
      class_coefficients(target, weight, log_probs.shape(), 0, log_probs.dtype()), log_probs);
  // dLP = −coef · dY / W = −w_t·1[c = t] · dY / W
  return autograd::record(
      "nll_loss", {log_probs}, loss, {{"target", target}, {"weight", weight}},
      [shape = log_probs.shape(), dtype = log_probs.dtype()](const BackwardContext& ctx) -> Grads {
        ClassCoefficients k =
            class_coefficients(ctx.saved("target"), ctx.saved("weight"), shape, 0, dtype);
        return {ops::mul(k.coef, ops::neg(ops::div(ctx.grad(0), k.total_weight)))};
      },
      [shape = log_probs.shape(), dtype = log_probs.dtype()](const BackwardContext& ctx) -> Grads {
        ClassCoefficients k =
            class_coefficients(ctx.saved("target"), ctx.saved("weight"), shape, 0, dtype);
        return {camlab::mul(camlab::neg(camlab::div(ctx.grad(0), k.total_weight)), k.coef)};
      });
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target) {
  const RawOpScope raw_forward;
  check_same_shape("binary_cross_entropy_with_logits", logits, target);
  CAMLAB_CHECK(!is_floating(target.dtype()) || target.dtype() == logits.dtype(),
               "binary_cross_entropy_with_logits: logits are {} but target is {}; convert the "
               "target with .to(DType::{})",
               dtype_name(logits.dtype()), dtype_name(target.dtype()),
               logits.dtype() == DType::Float32 ? "Float32" : "Float64");
  Tensor t = target.to(logits.dtype());  // multi-hot bool/uint8 targets become 0/1
  // ℓ = max(x, 0) − x·t + log(1 + exp(−|x|)), softplus(x) − x·t without overflow.
  Tensor softplus =
      ops::add(ops::relu(logits), ops::log(ops::add(ops::exp(ops::neg(ops::abs(logits))), 1.0)));
  Tensor loss = ops::mean(ops::sub(softplus, ops::mul(logits, t)));
  const double inv_n = 1.0 / double(logits.numel());
  // dX = (σ(x) − t) · dY / n;  dT = −x · dY / n
  return autograd::record(
      "binary_cross_entropy_with_logits", {logits, target}, loss, {{"x", logits}, {"target", t}},
      [inv_n](const BackwardContext& ctx) -> Grads {
        const Tensor &x = ctx.saved("x"), &t = ctx.saved("target");
        Tensor scale = ops::mul(ctx.grad(0), inv_n);
        Tensor dx = ctx.needs_grad(0) ? ops::mul(ops::sub(ops::sigmoid(x), t), scale) : Tensor();
        Tensor dt = ctx.needs_grad(1) ? ops::mul(ops::neg(x), scale) : Tensor();
        return {dx, dt};
      },
      [inv_n](const BackwardContext& ctx) -> Grads {
        const Tensor &x = ctx.saved("x"), &t = ctx.saved("target");
        Tensor scale = camlab::mul(ctx.grad(0), inv_n);
        Tensor dx =
            ctx.needs_grad(0) ? camlab::mul(camlab::sub(camlab::sigmoid(x), t), scale) : Tensor();
        Tensor dt = ctx.needs_grad(1) ? camlab::mul(camlab::neg(x), scale) : Tensor();
        return {dx, dt};
      });
}

Tensor mse_loss(const Tensor& x, const Tensor& target) {
  const RawOpScope raw_forward;
  check_same_shape("mse_loss", x, target);
  CAMLAB_CHECK(x.dtype() == target.dtype(), "mse_loss: input is {} but target is {}",
               dtype_name(x.dtype()), dtype_name(target.dtype()));
  Tensor diff = ops::sub(x, target);
  const double inv_n = 1.0 / double(x.numel());
  // dX = 2(x − t) · dY / n;  dT = −dX
  return autograd::record(
      "mse_loss", {x, target}, ops::mean(ops::mul(diff, diff)),
      {{"diff", diff}, {"x", x}, {"target", target}},
      [inv_n](const BackwardContext& ctx) -> Grads {
        Tensor dx = ops::mul(ctx.saved("diff"), ops::mul(ctx.grad(0), 2 * inv_n));
        return {ctx.needs_grad(0) ? dx : Tensor(), ctx.needs_grad(1) ? ops::neg(dx) : Tensor()};
      },
      [inv_n](const BackwardContext& ctx) -> Grads {
        // x − t recomputed with recorded ops: the second derivative flows through both.
        Tensor diff = camlab::sub(ctx.saved("x"), ctx.saved("target"));
        Tensor dx = camlab::mul(diff, camlab::mul(ctx.grad(0), 2 * inv_n));
        return {ctx.needs_grad(0) ? dx : Tensor(), ctx.needs_grad(1) ? camlab::neg(dx) : Tensor()};
      });
}

}  // namespace camlab
