#include "cam/metrics/curve_baseline.h"

#include "cam/visualize/transforms.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

CurveBaseline parse_curve_baseline(std::string_view name, std::string_view key) {
  if (name == "black") return CurveBaseline::black;
  if (name == "blur") return CurveBaseline::blur;
  if (name == "mean") return CurveBaseline::mean;
  throw Error(fmt::format("{}: unknown baseline '{}'; valid: black, blur, mean", key, name));
}

std::string curve_baseline_name(CurveBaseline kind) {
  switch (kind) {
    case CurveBaseline::black: return "black";
    case CurveBaseline::blur: return "blur";
    case CurveBaseline::mean: return "mean";
  }
  return "black";
}

Tensor baseline_images(const Tensor& images_in, CurveBaseline kind, const BaselineOptions& o) {
  CAMLAB_CHECK(images_in.dim() == 4, "baseline_images: images {}; expected [N, C, H, W]",
               shape_str(images_in.shape()));
  const Tensor images = images_in.to(Device::cpu()).to(DType::Float32).contiguous();  // [N,C,H,W]
  switch (kind) {
    case CurveBaseline::black: return ops::zeros(images.shape());
    case CurveBaseline::blur:
      CAMLAB_CHECK(o.blur_sigma > 0, "baseline_images: blur_sigma {} must be > 0", o.blur_sigma);
      return visualize::gaussian_blur(images, o.blur_sigma);
    case CurveBaseline::mean:
      CAMLAB_CHECK(o.channel_mean.defined() && o.channel_mean.dim() == 1 &&
                       o.channel_mean.size(0) == images.size(1),
                   "baseline_images: the mean baseline needs channel_mean [{}], got {}",
                   images.size(1),
                   o.channel_mean.defined() ? shape_str(o.channel_mean.shape()) : "none");
      return ops::add(
          ops::zeros(images.shape()),
          o.channel_mean.to(Device::cpu()).to(DType::Float32).reshape({1, images.size(1), 1, 1}));
  }
  return ops::zeros(images.shape());
}

}  // namespace camlab::cam
