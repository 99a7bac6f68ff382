#include "cam/visualize/image_param.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "cam/visualize/transforms.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam::visualize {
namespace {

constexpr double kFourierGain = 0.25;

}  // namespace

std::string_view parametrization_name(Parametrization kind) {
  return kind == Parametrization::Pixel ? "pixel" : "fourier";
}

ImageParam::ImageParam(Parametrization kind, const Tensor& images, std::optional<ValueRange> range)
    : kind_(kind), range_(range) {
  CAMLAB_CHECK(images.defined() && images.dim() == 4 && is_floating(images.dtype()),
               "ImageParam: expected float images [B, C, H, W], got {}",
               images.defined() ? shape_str(images.shape()) : "undefined");
  CAMLAB_CHECK(!range || range->high > range->low,
               "ImageParam: the value range [{}, {}] is empty; give low < high", range->low,
               range->high);
  autograd::NoGradGuard no_grad;
  Tensor start = images.contiguous().clone();  // [B, C, H, W], no graph
  if (range) {
    // raw = logit((x − low)/(high − low)), kept 1e-4 inside (0, 1) so it stays finite.
    const Tensor unit = ops::clamp(
        ops::mul(ops::add(start, -range->low), 1.0 / (range->high - range->low)), 1e-4, 1 - 1e-4);
    start = ops::log(ops::div(unit, ops::sub(ops::ones_like(unit), unit)));
  }
  if (kind == Parametrization::Pixel) {
    leaf_ = start;
  } else {
    basis_.emplace(images.size(2), images.size(3), images.dtype(), images.device());
    leaf_ = ops::div(basis_->from_image(ops::mul(start, 1.0 / kFourierGain)),
                     basis_->scale());  // [B, 2, C, H, Wf]
  }
  leaf_.set_requires_grad(true);
}

ImageParam ImageParam::random(Parametrization kind, const Shape& shape, double init_std,
                              Generator& gen, DType dtype, Device device,
                              std::optional<ValueRange> range) {
  CAMLAB_CHECK(shape.size() == 4, "ImageParam: expected a shape [B, C, H, W], got {}",
               shape_str(shape));
  CAMLAB_CHECK(init_std >= 0, "ImageParam: init_std must be >= 0, got {}", init_std);
  ImageParam param(kind, ops::zeros(shape, dtype, device));
  param.range_ = range;
  autograd::NoGradGuard no_grad;
  Tensor noise = ops::randn(param.leaf_.shape(), gen, dtype, device);
  param.leaf_.copy_(noise);
  const double std = ops::std(param.raw_image()).item();
  param.leaf_.copy_(ops::mul(noise, std > 0 ? init_std / std : 0.0));
  return param;
}

Tensor ImageParam::raw_image() const {
  if (kind_ == Parametrization::Pixel) return leaf_;
  // Lucid's fft_image divides by 4: smaller steps in image space for the same spectrum step.
  return basis_->to_image(leaf_ * basis_->scale()) * kFourierGain;
}

Tensor ImageParam::image() const {
  if (!range_) return raw_image();
  return camlab::sigmoid(raw_image()) * (range_->high - range_->low) + range_->low;
}

Tensor ImageParam::detached_image() const {
  autograd::NoGradGuard no_grad;
  return camlab::detach(image()).clone();  // a copy: the pixel leaf keeps changing
}

void ImageParam::blur(double sigma) {
  if (sigma <= 0) return;
  autograd::NoGradGuard no_grad;
  if (kind_ == Parametrization::Pixel) {
    leaf_.copy_(gaussian_blur(leaf_, sigma));
  } else {
    leaf_.copy_(ops::mul(leaf_, basis_->gaussian_response(sigma)));
  }
}

void ImageParam::amplify(int64_t index, double factor) {
  autograd::NoGradGuard no_grad;
  Tensor one = leaf_.select(0, index);  // a view into the leaf
  one.copy_(ops::mul(one, factor));
}

}  // namespace camlab::cam::visualize
