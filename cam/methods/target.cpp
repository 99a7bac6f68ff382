#include "cam/methods/target.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace camlab::cam {

ScoreFn logit_score() {
  return [](const Tensor& logits, const Tensor& classes) {
    // logits[i, classes[i]] for every i: gather along dim 1.
    return camlab::reshape(camlab::gather(logits, 1, classes.reshape({-1, 1})), {-1});
  };
}

ScoreFn softmax_score() {
  return [](const Tensor& logits, const Tensor& classes) {
    return logit_score()(camlab::softmax(logits, 1), classes);
  };
}

ScoreFn sigmoid_score() {
  return [](const Tensor& logits, const Tensor& classes) {
    return camlab::sigmoid(logit_score()(logits, classes));
  };
}

const std::vector<std::string>& score_names() {
  static const std::vector<std::string> names = {"logit", "softmax", "sigmoid"};
  return names;
}

ScoreFn score_named(std::string_view name) {
  if (name == "logit") return logit_score();
  if (name == "softmax") return softmax_score();
  if (name == "sigmoid") return sigmoid_score();
  fail("score '{}' is unknown; valid scores: {}", name, fmt::join(score_names(), ", "));
}

Target Target::predicted() { return Target(); }

Target Target::labels(const Tensor& labels) {
  CAMLAB_CHECK(labels.defined() && labels.dtype() == DType::Int64 && labels.dim() == 1,
               "Target::labels: labels must be int64 [N], got {} {}",
               labels.defined() ? dtype_name(labels.dtype()) : "undefined",
               labels.defined() ? shape_str(labels.shape()) : "");
  Target target;
  target.kind_ = Kind::Labels;
  target.labels_ = labels;
  return target;
}

Target Target::fixed(int64_t class_index) {
  Target target;
  target.kind_ = Kind::Fixed;
  target.class_index_ = class_index;
  return target;
}

Target Target::with_score(ScoreFn score) const {
  Target target = *this;
  target.score_ = std::move(score);
  return target;
}

ScoreFn Target::score_fn() const { return score_ ? score_ : logit_score(); }

Tensor Target::classes(const Tensor& logits, std::string_view method) const {
  CAMLAB_CHECK(logits.dim() == 2 || logits.dim() == 4,
               "{}: the model must return logits [N, K] or per-pixel logits [N, K, H, W], got {}",
               method, shape_str(logits.shape()));
  const int64_t n = logits.size(0);
  const int64_t k = logits.size(1);
  switch (kind_) {
    case Kind::Predicted:
      // A segmenter's prediction for the image: the class with the largest mean pixel logit.
      return ops::argmax(logits.dim() == 2 ? logits : ops::mean(camlab::detach(logits), {2, 3}), 1);
    case Kind::Fixed:
      CAMLAB_CHECK(class_index_ >= 0 && class_index_ < k,
                   "{}: target class {} is out of range for a model with {} classes (valid 0..{})",
                   method, class_index_, k, k - 1);
      return ops::full({n}, static_cast<double>(class_index_), DType::Int64, logits.device());
    case Kind::Labels: {
      CAMLAB_CHECK(labels_.size(0) == n, "{}: {} target labels for {} images", method,
                   labels_.size(0), n);
      Tensor host = labels_.to(Device::cpu()).contiguous();
      const int64_t* values = host.data<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        CAMLAB_CHECK(values[i] >= 0 && values[i] < k,
                     "{}: target class {} of image {} is out of range for a model with {} classes "
                     "(valid 0..{})",
                     method, values[i], i, k, k - 1);
      }
      return labels_.to(logits.device());
    }
  }
  fail("{}: unknown target kind", method);
}

Tensor Target::scores(const Tensor& logits, const Tensor& classes, std::string_view method) const {
  Tensor scores = score_fn()(logits, classes);
  CAMLAB_CHECK(scores.defined() && scores.numel() == logits.size(0) &&
                   (scores.dim() == 1 || (scores.dim() == 2 && scores.size(1) == 1)),
               "{}: the score function must return one score per image, [{}], but returned {}",
               method, logits.size(0), scores.defined() ? shape_str(scores.shape()) : "nothing");
  return scores.dim() == 1 ? scores : camlab::reshape(scores, {-1});
}

}  // namespace camlab::cam
