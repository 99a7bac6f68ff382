#include "experiments/train/objective.h"

#include "autograd/ops.h"

namespace camlab::experiments {

Tensor Objective::loss(const Tensor& logits, const Tensor& labels) const {
  if (multilabel) return binary_cross_entropy_with_logits(logits, labels.to(logits.dtype()));
  return cross_entropy(logits, labels, Tensor(), label_smoothing);
}

int64_t Objective::correct(const Tensor& logits, const Tensor& labels) const {
  autograd::NoGradGuard no_grad;
  Tensor hits;
  if (multilabel) {
    Tensor predicted = ops::gt(logits, 0.0);                  // [N, K] bool
    Tensor wanted = ops::gt(labels.to(logits.dtype()), 0.5);  // [N, K] bool
    hits = ops::eq(predicted, wanted);
  } else {
    hits = ops::eq(ops::argmax(logits, 1), labels.to(DType::Int64));  // [N] bool
  }
  return static_cast<int64_t>(ops::sum(hits.to(DType::Int64)).item());
}

int64_t Objective::predictions(const Tensor& logits) const {
  return multilabel ? logits.numel() : logits.size(0);
}

Objective make_objective(const Config& cfg) {
  Objective objective;
  objective.multilabel =
      cfg.get_bool("data.multilabel") || cfg.get_string("train.loss.type") == "bce";
  objective.label_smoothing = cfg.get_double("train.loss.label_smoothing");
  return objective;
}

}  // namespace camlab::experiments
