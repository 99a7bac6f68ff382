// What training minimises and how a prediction counts as right: softmax cross-entropy over
// classes, or per-label binary cross-entropy for multi-label data (two-object composites).
//
//   Objective objective = make_objective(cfg);
//   Tensor loss = objective.loss(logits, batch.labels);       // scalar, differentiable
//   int64_t hits = objective.correct(logits, batch.labels);    // top-1, or labels right
#pragma once

#include <cstdint>

#include "experiments/config/config.h"
#include "tensor/tensor.h"

namespace camlab::experiments {

struct Objective {
  bool multilabel = false;
  double label_smoothing = 0;

  Tensor loss(const Tensor& logits, const Tensor& labels) const;
  // Single-label: images whose arg-max is the label. Multi-label: labels (of N·K) whose logit
  // sign matches the target.
  int64_t correct(const Tensor& logits, const Tensor& labels) const;
  // How many predictions a batch of n images makes (n, or n·K for multi-label).
  int64_t predictions(const Tensor& logits) const;
};

Objective make_objective(const Config& cfg);

}  // namespace camlab::experiments
