// What each image is explained for: one class per image (the predicted one, given labels or a
// fixed class) and the differentiable score of that class, computed from the logits.
//
//   method->explain(images);                                            // predicted class, logit
//   method->explain(images, Target::labels(batch.labels));              // true labels
//   method->explain(images, Target::fixed(3).with_score(softmax_score()));  // p(class 3)
//   method->explain(images, Target::predicted().with_score(             // a multi-label logit
//       [](const Tensor& logits, const Tensor&) { return camlab::select(logits, 1, 4); }));
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::cam {

// logits [N, K], classes int64 [N] -> scores [N]. Built from differentiable ops (autograd/ops.h),
// since the gradient methods differentiate it. It may ignore `classes` (a multi-label logit).
using ScoreFn = std::function<Tensor(const Tensor& logits, const Tensor& classes)>;

ScoreFn logit_score();    // y^c, the default: what Grad-CAM and pytorch-grad-cam explain
ScoreFn softmax_score();  // softmax(y)_c
ScoreFn sigmoid_score();  // σ(y^c), a multi-label probability
// The score kinds by name, as explain.score and --score spell them.
const std::vector<std::string>& score_names();  // logit, softmax, sigmoid
// logit_score(), softmax_score() or sigmoid_score(); any other name is an Error listing them.
ScoreFn score_named(std::string_view name);

class Target {
 public:
  static Target predicted();                   // argmax of each image's logits
  static Target labels(const Tensor& labels);  // int64 [N], one class per image
  static Target fixed(int64_t class_index);    // the same class for every image
  // The same classes, scored by `score` instead of the logit.
  Target with_score(ScoreFn score) const;

  // The class explained for each image: int64 [N] on the logits' device. Errors (prefixed by
  // `method`) name the image and the valid range when a class is out of range.
  Tensor classes(const Tensor& logits, std::string_view method) const;
  // The score of each image's class: [N], differentiable when the logits are.
  Tensor scores(const Tensor& logits, const Tensor& classes, std::string_view method) const;
  // The score function (logit_score() unless with_score replaced it).
  ScoreFn score_fn() const;

 private:
  enum class Kind { Predicted, Labels, Fixed };
  Kind kind_ = Kind::Predicted;
  Tensor labels_;            // int64 [N] for Kind::Labels
  int64_t class_index_ = 0;  // for Kind::Fixed
  ScoreFn score_;            // empty: the logit
};

}  // namespace camlab::cam
