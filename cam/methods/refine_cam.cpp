#include "cam/methods/refine_cam.h"

#include "cam/methods/map_ops.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// The options of one layer's Grad-CAM++: that layer alone, and no augmentation (the outer
// explain() augments the product once).
CommonOptions one_layer(const CommonOptions& common, const std::vector<std::string>& layers) {
  CommonOptions options = common;
  options.layers = layers;
  options.aug_smooth = false;
  return options;
}

}  // namespace

RefineCam::RefineCam(nn::Module& model, CommonOptions common) : Method("refinecam", model, common) {
  if (common.layers.empty()) {  // the automatic layer
    per_layer_.push_back(std::make_unique<GradientCam>(GradientCamKind::GradCamPlusPlus,
                                                       "refinecam", model, one_layer(common, {})));
  }
  for (const std::string& layer : common.layers) {
    per_layer_.push_back(std::make_unique<GradientCam>(
        GradientCamKind::GradCamPlusPlus, "refinecam", model, one_layer(common, {layer})));
  }
}

std::vector<nn::ForwardHookHandle> RefineCam::hook_handles() const {
  std::vector<nn::ForwardHookHandle> handles;
  for (const auto& cam : per_layer_) {
    for (const nn::ForwardHookHandle& h : cam->hook_handles()) handles.push_back(h);
  }
  return handles;
}

Explanation RefineCam::compute(const Tensor& images, const Target& target) {
  Explanation out;
  Tensor product;  // [N, H, W]: Π_l of each layer's map in [0, 1]
  for (const auto& cam : per_layer_) {
    const Explanation e = cam->explain(images, target);
    product = product.defined() ? ops::mul(product, e.maps) : e.maps;
    out.logits = e.logits;
    out.targets = e.targets;
    out.layer += (out.layer.empty() ? "" : ",") + e.layer;
  }
  out.raw = product;
  out.maps = minmax_normalize(product);
  return out;
}

}  // namespace camlab::cam
