// Pixel attribution: methods whose explanation lives on the input pixels (saliency, guided
// backprop, deconvnet, Guided Grad-CAM, SmoothGrad, integrated gradients, occlusion). Each
// produces signed attributions [N, C, H, W]; the raw map is their per-pixel magnitude.
//
//   auto saliency = make_method("saliency", *model);
//   Explanation e = saliency->explain(images);   // e.attributions = dy/dx, e.raw = max_c |dy/dx|
//   // wrappers call attribute() directly, with the classes already fixed:
//   Tensor a = pixel.attribute(noisy_images, classes, target);   // [N, C, H, W]
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "cam/methods/method.h"

namespace camlab::cam {

class PixelAttribution : public Method {
 public:
  // Signed attributions [N, C, H, W] of each image's score, for classes int64 [N] already chosen.
  virtual Tensor attribute(const Tensor& images, const Tensor& classes, const Target& target) = 0;
  // Explanation::layer: the layer a method also uses (Guided Grad-CAM), else empty.
  virtual std::string layer_name() const { return {}; }

 protected:
  PixelAttribution(std::string name, nn::Module& model, CommonOptions common)
      : Method(std::move(name), model, std::move(common)) {}

  Explanation compute(const Tensor& images, const Target& target) override;
  // attributions -> raw [N, H, W]: max over channels of |a| (Simonyan et al. 2014), unless a
  // method knows better (occlusion keeps its signed score drop).
  virtual Tensor magnitude(const Tensor& attributions) const;
};

// d(Σ_n score_n)/dx [N, C, H, W] for fixed classes, through whatever hooks are armed on the model.
Tensor input_gradient(nn::Module& model, const Tensor& images, const Tensor& classes,
                      const Target& target, std::string_view method);

// Σ_c attribute(copy(block, first, c)) over `copies` modified copies of each image, batched: a
// block of at most batch_size images at a time, with as many of its copies per forward as fit in
// batch_size. copy(block [B, C, H, W], index of the block's first image, c) builds copy c;
// attribute(batch, classes) attributes a batch. Returns [N, C, H, W].
using CopyFn = std::function<Tensor(const Tensor& block, int64_t first, int64_t copy)>;
using AttributeFn = std::function<Tensor(const Tensor& batch, const Tensor& classes)>;
Tensor sum_over_copies(const Tensor& images, const Tensor& classes, int64_t copies,
                       int64_t batch_size, const CopyFn& copy, const AttributeFn& attribute);

}  // namespace camlab::cam
