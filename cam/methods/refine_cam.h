// RefineCAM, as pytorch-grad-cam's refine_cam.py (its docstring cites arXiv:2605.14641, which
// camlab could not check): Grad-CAM++ at each of several layers, each map min-max scaled to
// [0, 1] at the input's size, multiplied together, and the product scaled again,
//   RefineCAM = scale(Π_l scale(Grad-CAM++_l)).
// A low layer's map is sharp but noisy and a high layer's coarse but class-specific; the product
// keeps the pixels every layer agrees on ("denoising early layers", in pytorch-grad-cam's words).
//
//   auto refine = make_method("refinecam", model, {.common = {.layers = {"relu2", "relu4"}}});
//   Explanation e = refine->explain(images);   // e.maps [N, H, W]; e.layer "relu2,relu4"
//
// With no layers given it is Grad-CAM++ at the automatic layer. eigen_smooth reaches each
// Grad-CAM++; aug_smooth is applied once, to the product.
#pragma once

#include <memory>
#include <vector>

#include "cam/methods/gradient_cam.h"

namespace camlab::cam {

class RefineCam : public Method {
 public:
  RefineCam(nn::Module& model, CommonOptions common = {});

  std::vector<nn::ForwardHookHandle> hook_handles() const override;

 protected:
  Explanation compute(const Tensor& images, const Target& target) override;

 private:
  std::vector<std::unique_ptr<GradientCam>> per_layer_;  // one Grad-CAM++ per layer
};

}  // namespace camlab::cam
