// Faster Score-CAM (tabayashi0117/Score-CAM, "Faster Score-CAM", 2020; also tf-keras-vis's
// Scorecam max_N): Score-CAM (Wang et al. 2020) on the top_k channels of each image with the
// largest spatial variance of A^k, the others weighing 0:
//   S = the top_k channels by var_ij(A^k_ij);  s_k = y^c(x ⊙ H^k), k ∈ S;  w_S = softmax_S(s)
// N·top_k masked forwards instead of N·K. pytorch-grad-cam has no Faster Score-CAM; the masks and
// the softmax over channels are those of camlab's (pytorch-grad-cam's) Score-CAM.
//
//   FasterScoreCam faster(*model, {.layers = {"relu4"}}, {.top_k = 10});
//   Explanation e = faster.explain(images);   // e.weights [N, K]: top_k of them sum to 1
#pragma once

#include "cam/methods/activation_cam.h"
#include "cam/methods/faster_score_cam_options.h"

namespace camlab::cam {

// A [N, K, h, w] -> int64 [N, min(top_k, K)]: each image's channels by decreasing spatial
// variance (population), ties in channel order.
Tensor top_variance_channels(const Tensor& activations, int64_t top_k);

class FasterScoreCam : public ActivationCam {
 public:
  FasterScoreCam(nn::Module& model, CommonOptions common = {}, FasterScoreCamOptions own = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  FasterScoreCamOptions own_;
};

}  // namespace camlab::cam
