// Ablation-CAM (Desai & Ramaswamy 2020): no gradients. Channel k of the target layer is zeroed (a
// forward hook returns the ablated output) and w_k = (y − y_k) / y is the relative score drop.
//
//   AblationCam ablation(*model, {.layers = {"relu4"}, .batch_size = 256});
//   Explanation e = ablation.explain(images);   // N·K ablated forwards, 256 per batch
#pragma once

#include "cam/methods/ablation_cam_options.h"
#include "cam/methods/activation_cam.h"

namespace camlab::cam {

class AblationCam : public ActivationCam {
 public:
  AblationCam(nn::Module& model, CommonOptions common = {}, AblationCamOptions own = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  AblationCamOptions own_;
};

}  // namespace camlab::cam
