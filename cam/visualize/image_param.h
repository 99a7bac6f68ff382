// The tensor gradient ascent actually optimises, and the image it stands for: the pixels
// themselves, or Lucid's 1/f-scaled Fourier spectrum (fourier.h).
//
//   Generator gen(0);
//   ImageParam param = ImageParam::random(Parametrization::Fourier, {16, 1, 28, 28}, 0.1, gen,
//                                         DType::Float32, Device::cpu());
//   Tensor x = param.image();                  // [16, 1, 28, 28], on the graph of param.leaf()
//   // With a ValueRange{-0.81, 2.02}, x = low + (high − low)·sigmoid(raw) stays in that range.
//   Tensor g = autograd::grad({score}, {param.leaf()})[0];
//   param.blur(0.5);                           // in place, no graph
#pragma once

#include <optional>
#include <string_view>

#include "cam/visualize/fourier.h"
#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace camlab::cam::visualize {

enum class Parametrization { Pixel, Fourier };

// The valid input values (model units). Lucid's to_valid_rgb: image = low + (high − low)·σ(raw),
// so ascent cannot push pixels out of what the network ever saw.
struct ValueRange {
  double low = 0;
  double high = 1;
};

std::string_view parametrization_name(Parametrization kind);  // "pixel", "fourier"

class ImageParam {
 public:
  // Starts at `images` [B, C, H, W] (copied): the leaf is the images or their spectrum (through
  // the logit of the range, when one is given: values are clamped 1e-4 inside it).
  ImageParam(Parametrization kind, const Tensor& images,
             std::optional<ValueRange> range = std::nullopt);

  // Random start: pixel noise N(0, σ²) (Chollet's grey image with noise), or a random spectrum
  // whose 1/f scaling gives pink noise (Lucid); either way rescaled so the images' std is
  // init_std (before the range's sigmoid, whose centre is the range's middle). shape: [B, C, H, W].
  static ImageParam random(Parametrization kind, const Shape& shape, double init_std,
                           Generator& gen, DType dtype, Device device,
                           std::optional<ValueRange> range = std::nullopt);

  Parametrization kind() const { return kind_; }
  // The optimised tensor (requires grad): [B, C, H, W] pixels or [B, 2, C, H, W/2+1] spectrum.
  const Tensor& leaf() const { return leaf_; }
  // [B, C, H, W], differentiable with respect to leaf().
  Tensor image() const;
  // [B, C, H, W] without a graph.
  Tensor detached_image() const;
  // Gaussian blur of σ pixels, in place and untracked (pixel: blur(x)/blur(1) near borders;
  // Fourier: the spectrum times the blur's frequency response, i.e. a circular blur). With a
  // range, the raw image before the sigmoid is blurred.
  void blur(double sigma);
  // Multiplies image `index` of the batch (its raw image, with a range) by `factor`.
  void amplify(int64_t index, double factor);

 private:
  Tensor raw_image() const;  // [B, C, H, W] before the range's sigmoid

  Parametrization kind_;
  Tensor leaf_;
  std::optional<FourierBasis> basis_;  // Fourier only
  std::optional<ValueRange> range_;
};

}  // namespace camlab::cam::visualize
