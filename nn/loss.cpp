#include "nn/loss.h"

#include <fmt/format.h>

#include "autograd/ops.h"

namespace camlab::nn {
namespace {

void check_same_shape(const char* loss, const Tensor& input, const Tensor& target) {
  CAMLAB_CHECK(input.shape() == target.shape(),
               "{}: input {} and target {} must have the same shape", loss,
               shape_str(input.shape()), shape_str(target.shape()));
}

// The class weight must sit where the logits are, in their dtype.
Tensor matched(const Tensor& weight, const Tensor& like) {
  if (!weight.defined()) return weight;
  return weight.to(like.device()).to(like.dtype());
}

}  // namespace

CrossEntropyLoss::CrossEntropyLoss(Tensor weight, double label_smoothing)
    : weight_(std::move(weight)), label_smoothing_(label_smoothing) {
  CAMLAB_CHECK(label_smoothing >= 0 && label_smoothing <= 1,
               "CrossEntropyLoss: label_smoothing must be within [0, 1], got {}", label_smoothing);
  CAMLAB_CHECK(!weight_.defined() || weight_.dim() == 1,
               "CrossEntropyLoss: weight must be [C], got {}", shape_str(weight_.shape()));
}

Tensor CrossEntropyLoss::forward(const Tensor& logits, const Tensor& target) const {
  CAMLAB_CHECK(logits.dim() >= 2, "CrossEntropyLoss: logits must be [N, C, ...], got {}",
               shape_str(logits.shape()));
  CAMLAB_CHECK(!weight_.defined() || weight_.size(0) == logits.size(1),
               "CrossEntropyLoss: weight has {} classes but the logits {} have {}", weight_.size(0),
               shape_str(logits.shape()), logits.size(1));
  return camlab::cross_entropy(logits, target, matched(weight_, logits), label_smoothing_);
}

std::string CrossEntropyLoss::str() const {
  std::string args;
  if (weight_.defined()) args = fmt::format("weight=[{}]", weight_.size(0));
  if (label_smoothing_ > 0) {
    args += fmt::format("{}label_smoothing={}", args.empty() ? "" : ", ", label_smoothing_);
  }
  return "CrossEntropyLoss(" + args + ")";
}

Tensor NLLLoss::forward(const Tensor& log_probs, const Tensor& target) const {
  return camlab::nll_loss(log_probs, target, matched(weight_, log_probs));
}

std::string NLLLoss::str() const {
  return weight_.defined() ? fmt::format("NLLLoss(weight=[{}])", weight_.size(0)) : "NLLLoss()";
}

Tensor BCEWithLogitsLoss::forward(const Tensor& logits, const Tensor& target) const {
  check_same_shape("BCEWithLogitsLoss", logits, target);
  return camlab::binary_cross_entropy_with_logits(logits, target.to(logits.dtype()));
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) const {
  check_same_shape("MSELoss", input, target);
  return camlab::mse_loss(input, target);
}

}  // namespace camlab::nn
