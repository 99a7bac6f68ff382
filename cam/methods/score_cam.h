// Score-CAM (Wang et al. 2020): no gradients. Each channel, upsampled and min-max normalised, masks
// the input; the softmax over channels of the masked inputs' scores weighs the channels.
//
//   ScoreCam scorecam(*model, {.layers = {"relu4"}, .batch_size = 256});
//   Explanation e = scorecam.explain(images);   // N·K masked forwards, 256 per batch
//   // e.weights [N, K] sum to 1 per image
#pragma once

#include "cam/methods/activation_cam.h"
#include "cam/methods/score_cam_options.h"

namespace camlab::cam {

class ScoreCam : public ActivationCam {
 public:
  ScoreCam(nn::Module& model, CommonOptions common = {}, ScoreCamOptions own = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  ScoreCamOptions own_;
};

}  // namespace camlab::cam
