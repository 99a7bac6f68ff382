// Lucid's decorrelated ("Fourier") image parametrization (Olah et al. 2017, "Feature
// Visualization", Distill): optimise a real 2-D spectrum scaled by 1/f, so every step moves low
// frequencies as much as high ones and the pictures lose their high-frequency noise.
//
//   FourierBasis basis(28, 28, DType::Float32, Device::cpu());
//   Tensor spectrum = basis.from_image(images);          // [B, 2, C, 28, 15] (real, imaginary)
//   Tensor back = basis.to_image(spectrum);              // [B, C, 28, 28] == images (round trip)
//   Tensor smooth = basis.to_image(spectrum * basis.gaussian_response(1.0));   // blurred
//
// The transform is a real DFT written as matrix products with precomputed cos/sin bases, so
// to_image is differentiable through camlab::matmul. Orthonormal scaling (1/√(HW) both ways).
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace camlab::cam::visualize {

class FourierBasis {
 public:
  FourierBasis(int64_t height, int64_t width, DType dtype, Device device);

  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  int64_t freq_width() const { return width_ / 2 + 1; }  // rfft's half spectrum

  // spectrum [B, 2, C, H, W/2+1] (real, imaginary half spectrum) -> image [B, C, H, W];
  // differentiable. x[h,w] = (1/√HW) Σ_u Σ_v c_v Re(X[u,v] e^{2πi(uh/H + vw/W)}), c_v = 2 for the
  // columns standing in for their conjugate twins, 1 for v = 0 and (W even) v = W/2.
  Tensor to_image(const Tensor& spectrum) const;
  // image [B, C, H, W] -> spectrum [B, 2, C, H, W/2+1]: X = (1/√HW) Σ x e^{−2πi(uh/H + vw/W)}.
  // Raw ops (no graph): used to re-parametrize an image, e.g. between octaves.
  Tensor from_image(const Tensor& image) const;

  // [H, W/2+1]: Lucid's spectrum scale 1 / max(f, 1/max(H, W)), f = √(fy² + fx²) in cycles per
  // pixel (decay power 1).
  const Tensor& scale() const { return scale_; }
  // [H, W/2+1]: exp(−2π²σ²f²), the frequency response of a Gaussian blur of σ pixels (circular).
  Tensor gaussian_response(double sigma) const;

 private:
  int64_t height_;
  int64_t width_;
  Tensor cos_h_;      // [H, H]  cos(2π uh/H), symmetric
  Tensor sin_h_;      // [H, H]  sin(2π uh/H), symmetric
  Tensor cos_w_;      // [Wf, W] c_v cos(2π vw/W): half spectrum -> rows
  Tensor sin_w_;      // [Wf, W] c_v sin(2π vw/W)
  Tensor cos_w_fwd_;  // [W, Wf] cos(2π vw/W): rows -> half spectrum
  Tensor sin_w_fwd_;  // [W, Wf] sin(2π vw/W)
  Tensor freq_;       // [H, Wf] f in cycles per pixel
  Tensor scale_;      // [H, Wf]
  double norm_;       // 1/√(HW)
};

}  // namespace camlab::cam::visualize
