// SS-CAM (Wang et al. 2020, "SS-CAM: Smoothed Score-CAM for sharper visual feature
// localization"), the variant that perturbs the masks (the paper's SS-CAM(1), its authors' SSCAM1):
// Score-CAM where each channel's score is the mean over n noisy copies of its mask,
//   s_k = (1/n) Σ_j y^c(x ⊙ (H^k + σ·ε_j)),  ε_j ~ N(0, 1) per pixel,  w = softmax_k(s)
// with H^k Score-CAM's mask and its softmax over channels (as pytorch-grad-cam's Score-CAM, which
// has no SS-CAM). N·K·n masked forwards, batched.
//
//   SsCam sscam(*model, {.layers = {"relu4"}}, {.samples = 35, .sigma = 2, .seed = 1});
//   Explanation e = sscam.explain(images);                    // seeded draws
//   e = sscam.explain_with_noise(images, target, noise);      // given N(0, 1) draws
#pragma once

#include "cam/methods/activation_cam.h"
#include "cam/methods/ss_cam_options.h"
#include "tensor/generator.h"

namespace camlab::cam {

class SsCam : public ActivationCam {
 public:
  SsCam(nn::Module& model, CommonOptions common = {}, SsCamOptions own = {});

  // explain() with standard-normal draws noise [N, K, n, H, W] (scaled by σ here) instead of
  // seeded ones; n replaces SsCamOptions::samples.
  Explanation explain_with_noise(const Tensor& images, const Target& target, const Tensor& noise);

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  SsCamOptions own_;
  Generator generator_;  // seeded by SsCamOptions::seed
  Tensor given_noise_;   // [N, K, n, H, W] during explain_with_noise, else undefined
};

}  // namespace camlab::cam
