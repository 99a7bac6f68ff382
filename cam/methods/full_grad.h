// FullGrad (Srinivas & Fleuret 2019, "Full-Gradient Representation for Neural-Network
// Visualization"), as pytorch-grad-cam's fullgrad_cam.py. For a ReLU net f(x) = ∇ₓf·x + Σ_b ∇_b f·b
// exactly (the paper's full-gradient decomposition); the map shows every term in space:
//   map = Σ_c ψ(|∇ₓf ⊙ x|_c) + Σ_layers Σ_k ψ(|b_k · ∂f/∂z_k|)
// with z the output of every convolution and batch norm that has a bias, b its effective bias
// (a batch norm's is β − μ·γ/√(σ² + ε)), and ψ per image and channel a min-max to [0, 1]
// ((v − min)/(max − min + 1e-7)) then bilinear resizing to the input. Where pytorch-grad-cam
// deviates from the paper's code: ψ normalises each channel alone (the paper, each layer's
// whole tensor) and resizes with half-pixel centres (the paper: align_corners = true).
// Class-specific; no target layer: --layers and eigen_smooth have no effect.
//
//   FullGrad fullgrad(*model);   // finds conv1, bn1, ... (or an ONNX graph's Conv / BatchNorm)
//   Explanation e = fullgrad.explain(images, Target::labels(labels));   // e.raw [N, H, W]
#pragma once

#include <string>
#include <vector>

#include "cam/methods/layers.h"
#include "cam/methods/method.h"

namespace camlab::cam {

// A layer whose bias enters FullGrad: its dotted name and effective bias b [K].
struct BiasLayer {
  std::string name;
  Tensor bias;  // [K]
};

// Every Conv2d and BatchNorm2d with a bias, and every ONNX Conv with a bias input and
// BatchNormalization of an nn::Graph, in registration order. A batch norm without running
// statistics (normalising by the batch even in eval) is an Error naming it.
std::vector<BiasLayer> bias_layers(nn::Module& model);

// x [N, K, h, w] -> each (image, channel) min-max to [0, 1]: (x − min)/(max − min + 1e-7), as
// pytorch-grad-cam's scale_cam_image.
Tensor scale_each_channel(const Tensor& x);

class FullGrad : public Method {
 public:
  explicit FullGrad(nn::Module& model, CommonOptions common = {});

  // The bias layers, in the order of bias_layers().
  const std::vector<std::string>& layers() const { return layers_; }

 protected:
  Explanation compute(const Tensor& images, const Target& target) override;

 private:
  std::vector<std::string> layers_;
  LayerCapture capture_;
};

}  // namespace camlab::cam
