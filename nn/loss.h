// Loss objects: thin, printable wrappers over the differentiable losses in autograd/ops.h, so a
// trainer can hold "the loss" chosen by a config. Reduction is the mean, as PyTorch's default.
//
//   CrossEntropyLoss criterion(class_weights, /*label_smoothing=*/0.1);
//   Tensor loss = criterion(logits, labels);     // logits [N, C], labels int64 [N]
//   camlab::backward(loss);
#pragma once

#include <string>

#include "tensor/tensor.h"

namespace camlab::nn {

class Loss {
 public:
  virtual ~Loss() = default;
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return forward(input, target);
  }
  virtual Tensor forward(const Tensor& input, const Tensor& target) const = 0;
  virtual std::string str() const = 0;  // "CrossEntropyLoss(label_smoothing=0.1)"
};

// logits [N, C] (or [N, C, H, W]) and int64 class indices [N] (or [N, H, W]).
class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(Tensor weight = Tensor(), double label_smoothing = 0.0);
  Tensor forward(const Tensor& logits, const Tensor& target) const override;
  std::string str() const override;

 private:
  Tensor weight_;  // [C] or undefined
  double label_smoothing_;
};

// log-probabilities [N, C] and int64 class indices [N].
class NLLLoss : public Loss {
 public:
  explicit NLLLoss(Tensor weight = Tensor()) : weight_(std::move(weight)) {}
  Tensor forward(const Tensor& log_probs, const Tensor& target) const override;
  std::string str() const override;

 private:
  Tensor weight_;
};

// Multi-label: logits and a float multi-hot target of the same shape.
class BCEWithLogitsLoss : public Loss {
 public:
  Tensor forward(const Tensor& logits, const Tensor& target) const override;
  std::string str() const override { return "BCEWithLogitsLoss()"; }
};

class MSELoss : public Loss {
 public:
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string str() const override { return "MSELoss()"; }
};

}  // namespace camlab::nn
