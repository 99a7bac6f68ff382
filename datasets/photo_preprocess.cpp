#include "datasets/photo_preprocess.h"

#include <array>
#include <cmath>

#include "datasets/resize_antialias.h"
#include "datasets/transform.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

// [H, W, C] bytes -> float32 [C, H, W] in [0, 1], as torchvision's ToTensor.
Tensor to_unit_planar(const Image8& image) {
  Tensor out = Tensor::empty({image.channels, image.height, image.width}, DType::Float32);
  float* y = out.data<float>();
  const int64_t plane = image.width * image.height;
  for (int64_t c = 0; c < image.channels; ++c) {
    for (int64_t i = 0; i < plane; ++i) {
      y[c * plane + i] = static_cast<float>(image.pixels[i * image.channels + c]) / 255.0f;
    }
  }
  return out;
}

// torchvision's _compute_resized_output_size for an int size: the shorter side becomes
// `shorter`, the longer one int(shorter * long / short) (truncated).
std::array<int64_t, 2> resized_size(int64_t height, int64_t width, int64_t shorter) {
  if (shorter == 0) return {height, width};
  if (width <= height) return {shorter * height / width, shorter};
  return {shorter, shorter * width / height};
}

// CenterCrop's offset: int(round((size - crop) / 2.0)), Python's round (half to even).
int64_t centre_offset(int64_t size, int64_t crop) {
  return static_cast<int64_t>(std::nearbyint(static_cast<double>(size - crop) / 2.0));
}

}  // namespace

PreparedPhoto prepare_photo(const Image8& photo, const PhotoPreprocess& recipe,
                            const std::string& name) {
  CAMLAB_CHECK(recipe.resize >= 0 && recipe.crop >= 0,
               "photo preprocessing: resize {} and crop {} must be ≥ 0 (0 = skip the step)",
               recipe.resize, recipe.crop);
  const Tensor unit = to_unit_planar(with_channels(photo, recipe.channels));  // [C, H, W]
  const auto [height, width] = resized_size(photo.height, photo.width, recipe.resize);
  const Tensor resized = (height == photo.height && width == photo.width)
                             ? unit
                             : resize_antialias(unit, height, width);  // [C, h, w]
  const int64_t crop_h = recipe.crop > 0 ? recipe.crop : height;
  const int64_t crop_w = recipe.crop > 0 ? recipe.crop : width;
  CAMLAB_CHECK(crop_h <= height && crop_w <= width,
               "{}: the {}x{} centre crop is larger than the photo resized to {}x{}; set the "
               "resize (shorter side) to at least the crop",
               name, crop_w, crop_h, width, height);
  const int64_t top = centre_offset(height, crop_h), left = centre_offset(width, crop_w);
  PreparedPhoto out;
  out.pixels = resized.slice(1, top, top + crop_h).slice(2, left, left + crop_w).contiguous();
  out.input = out.pixels.clone();  // [C, crop_h, crop_w]
  Generator unused(0);             // normalizing draws nothing
  normalize(recipe.mean, recipe.std)
      ->apply({out.input.data<float>(), recipe.channels, crop_h, crop_w}, unused);
  const double sx = static_cast<double>(photo.width) / static_cast<double>(width);
  const double sy = static_cast<double>(photo.height) / static_cast<double>(height);
  out.crop_box = {left * sx, top * sy, (left + crop_w) * sx, (top + crop_h) * sy};
  return out;
}

}  // namespace camlab::datasets
