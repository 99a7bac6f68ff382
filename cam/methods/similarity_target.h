// An embedding-similarity target: the cosine between an image's features and a reference image's,
// so a map shows which regions make the image look like the reference (pytorch-grad-cam's
// SimilarityToConceptTarget). The features are a layer's output, or the model's output itself.
//
//   FeatureSimilarity like_ref(*model, "layer4", reference);   // reference [1, C, H, W]
//   Explanation e = gradcam->explain(images, Target::predicted().with_score(like_ref.score()));
//   // cos(f(x_n), f(ref)) for each image n: 1 for the reference itself
#pragma once

#include <memory>
#include <string>

#include "cam/methods/target.h"
#include "nn/module.h"
#include "tensor/tensor.h"

namespace camlab::cam {

class FeatureSimilarity {
 public:
  // Runs the model once (no grad; put it in eval mode first) on
  // `reference` [1, C, H, W] and keeps its features. layer "" = the model's output; a named layer
  // gets a forward hook that lives as long as this object or any score() made from it.
  FeatureSimilarity(nn::Module& model, std::string layer, const Tensor& reference);

  // score_n = f(x_n)·r / (‖f(x_n)‖ ‖r‖), features flattened per image; classes are ignored.
  // With a layer, the gradient methods must capture a layer at or below it.
  ScoreFn score() const;

  const Tensor& reference_features() const;  // [D], detached

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace camlab::cam
