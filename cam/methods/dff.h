// Deep Feature Factorization (Collins et al. 2018, "Deep feature factorization for concept
// discovery"), as pytorch-grad-cam's feature_factorization: the activations of the whole batch,
// one column per position, X [C, N·h·w], shifted per channel to be non-negative
// (X − min_row), are factorised by NMF into k concepts, X ≈ W·H:
//   W [C, k]: the concepts' channel vectors (plus the shift),  H [k, N·h·w]: their maps.
// A classifier layer scores each concept vector, S = fc(Wᵀ) [k, classes]. As a Method, each
// image's map is the map of the concept that scores highest for its target class, and its
// weights [N, k] are every concept's score for that class; factorization() holds the rest.
// The concepts are shared by the batch, so an image's map depends on the images beside it.
//
//   Dff dff(*model, {.layers = {"relu4"}}, {.concepts = 5});
//   Explanation e = dff.explain(images);        // e.raw: the best concept's map per image
//   const Factorization& f = dff.factorization();   // f.maps [N, 5, h, w], f.scores [5, classes]
#pragma once

#include "cam/methods/activation_cam.h"
#include "cam/methods/dff_options.h"
#include "tensor/generator.h"

namespace camlab::cam {

struct Factorization {
  Tensor concepts;  // [C, k]: W + the per-channel shift, in activation space
  Tensor maps;      // [N, k, h, w]: H, each concept's weight at each position
  Tensor scores;    // [k, classes]: the classifier on each concept vector
};

// NMF of activations [N, C, h, w] by Lee & Seung's multiplicative updates (2001, Frobenius
// norm), `iterations` of them, from scikit-learn's "random" initialisation
// W = √(mean X / k)·|draws_w| [C, k], H = √(mean X / k)·|draws_h| [k, N·h·w] (standard normal
// draws). Fills concepts and maps.
Factorization factorize_activations(const Tensor& activations, int64_t iterations,
                                    const Tensor& draws_w, const Tensor& draws_h);

class Dff : public ActivationCam {
 public:
  Dff(nn::Module& model, CommonOptions common = {}, DffOptions own = {});

  // explain() with given standard-normal draws for the initial factors, draws_w [C, k] and
  // draws_h [k, N·h·w], instead of seeded ones (one target layer).
  Explanation explain_with_draws(const Tensor& images, const Target& target, const Tensor& draws_w,
                                 const Tensor& draws_h);
  // The factorization of the last layer of the last explain().
  const Factorization& factorization() const { return last_; }

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  // The Linear layer that scores concept vectors of `channels` values.
  nn::Module& classifier(int64_t channels, const std::string& layer);

  DffOptions own_;
  Generator generator_;  // seeded by DffOptions::seed
  Tensor given_w_, given_h_;
  Factorization last_;
};

}  // namespace camlab::cam
