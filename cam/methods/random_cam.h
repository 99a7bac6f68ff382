// Random-CAM: channel weights drawn from U(−1, 1), a sanity baseline that any real method should
// beat (Adebayo et al. 2018's point that a map must depend on the model).
//
//   RandomCam random(*model, {.layers = {"relu4"}}, {.seed = 7});
//   Explanation e = random.explain(images);            // e.weights [N, K], seeded draws
//   e = random.explain_with_weights(images, Target::predicted(), weights);  // given [N, K]
#pragma once

#include "cam/methods/activation_cam.h"
#include "cam/methods/random_cam_options.h"
#include "tensor/generator.h"

namespace camlab::cam {

class RandomCam : public ActivationCam {
 public:
  RandomCam(nn::Module& model, CommonOptions common = {}, RandomCamOptions own = {});

  // explain() with these weights [N, K] instead of fresh draws (a test compares with a reference
  // that drew its own).
  Explanation explain_with_weights(const Tensor& images, const Target& target,
                                   const Tensor& weights);

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  Generator generator_;  // seeded by RandomCamOptions::seed; successive calls draw new weights
  Tensor given_weights_;
};

}  // namespace camlab::cam
