// Eigen-CAM (Muhammad & Yeasin 2020): the target layer's activations projected on their first
// principal component (first_component in map_ops.h, sign fixed to agree with the mean
// activation). Class-agnostic: no gradients, the same map whatever the target.
//
//   EigenCam eigencam(*model, {.layers = {"relu4"}});
//   Explanation e = eigencam.explain(images);
#pragma once

#include "cam/methods/activation_cam.h"

namespace camlab::cam {

class EigenCam : public ActivationCam {
 public:
  EigenCam(nn::Module& model, CommonOptions common = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;
};

}  // namespace camlab::cam
