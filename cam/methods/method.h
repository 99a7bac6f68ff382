// One interface for every explanation method: CAM and the Grad-CAM family, Score-CAM,
// Ablation-CAM, Eigen-CAM, Random-CAM and the pixel attributions (saliency, guided backprop, ...).
//
//   model->eval();
//   auto gradcam = make_method("gradcam", *model, {.layers = {"conv4"}});
//   Explanation e = gradcam->explain(images, Target::labels(labels));  // images [N, C, H, W]
//   e.maps;   // [N, H, W] in [0, 1]; e.raw [N, h, w] at conv4's resolution; e.targets, e.logits
//   // the hooks gradcam placed on the model are removed when it goes out of scope
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cam/methods/target.h"
#include "nn/hooks.h"
#include "nn/module.h"
#include "tensor/tensor.h"

namespace camlab::cam {

struct MethodOptions {
  // Target layers by dotted name; empty: the last module with a 4-d output, found by a probing
  // forward. Several layers are fused: each map to the input size and min-max, then the mean.
  std::vector<std::string> layers;
  // Test-time augmentation (pytorch-grad-cam's aug_smooth): hflip x brightness {0.9, 1, 1.1},
  // explained in one batch for the classes of the unaugmented images, flips undone, raw maps
  // averaged.
  bool aug_smooth = false;
  // First principal component of the terms w_k·A^k instead of their sum (activation-map methods;
  // the pixel methods ignore it).
  bool eigen_smooth = false;
  // Images per forward for the extra forwards of Score-CAM, Ablation-CAM, occlusion, integrated
  // gradients and SmoothGrad.
  int64_t batch_size = 128;
  // Random-CAM's weights and SmoothGrad's noise.
  uint64_t seed = 0;
  // {C, H, W} the model expects; empty checks channels against the first Conv2d only.
  std::vector<int64_t> image_shape;
  // SmoothGrad (Smilkov et al. 2017): samples, σ / (max − min) per image, the method it smooths.
  int64_t smooth_samples = 16;
  double smooth_noise = 0.15;
  std::string smooth_base = "saliency";
  // Integrated gradients (Sundararajan et al. 2017): Riemann steps from the zero baseline.
  int64_t ig_steps = 32;
  // Occlusion (Zeiler & Fergus 2014): square patch, stride and the value it is filled with.
  int64_t occlusion_patch = 4;
  int64_t occlusion_stride = 2;
  double occlusion_baseline = 0.0;
};

struct Explanation {
  // [N, h, w] at feature resolution, after the final ReLU where the method has one. Several layers:
  // the fused maps, [N, H, W]. Pixel methods: the per-pixel magnitude, [N, H, W].
  Tensor raw;
  Tensor maps;  // [N, H, W] bilinear (align_corners = false) to the input size, min-max per image
  Tensor targets;     // int64 [N]: the class explained for each image
  Tensor logits;      // [N, K] of the images as given
  std::string layer;  // the target layer ("a,b" for several); empty for gradient-free pixel methods
  Tensor weights;     // [N, K] channel weights where the method has them, else undefined
  Tensor attributions;  // [N, C, H, W] signed pixel attributions (pixel methods), else undefined
};

class Method {
 public:
  virtual ~Method() = default;  // hooks are owned by ScopedForwardHooks: removed here
  Method(const Method&) = delete;
  Method& operator=(const Method&) = delete;

  // The CLI name ("gradcam++").
  const std::string& name() const { return name_; }
  nn::Module& model() const { return model_; }
  const MethodOptions& options() const { return options_; }

  // Explains each image's target. The model runs in eval mode (restored afterwards) and with
  // grad mode on where the method needs gradients. Errors name the method and what was wrong.
  Explanation explain(const Tensor& images, const Target& target = Target::predicted());

  // The hooks this method (and any method it wraps) holds on the model: copies, inactive once the
  // method is destroyed.
  virtual std::vector<nn::ForwardHookHandle> hook_handles() const { return handles_; }

 protected:
  Method(std::string name, nn::Module& model, MethodOptions options);

  // The explanation of un-augmented images; explain() adds validation, eval mode and aug-smooth.
  virtual Explanation compute(const Tensor& images, const Target& target) = 0;

  // The model's output for the first forward of a call; a model error becomes one line saying
  // which images the model could not take.
  Tensor forward(const Tensor& images);
  // Keeps `handle` registered until this method is destroyed.
  void keep_hook(const nn::ForwardHookHandle& handle);

 private:
  void check_images(const Tensor& images) const;
  Explanation explain_augmented(const Tensor& images, const Target& target);

  std::string name_;
  nn::Module& model_;
  MethodOptions options_;
  std::vector<nn::ScopedForwardHook> hooks_;
  std::vector<nn::ForwardHookHandle> handles_;
};

// The registry: every CLI name, in the order the CLI lists them.
const std::vector<std::string>& method_names();
// A method by CLI name; an unknown name is an Error listing the valid ones. The model must outlive
// the method (it holds hooks on the model's modules).
std::unique_ptr<Method> make_method(const std::string& name, nn::Module& model,
                                    const MethodOptions& options = {});

}  // namespace camlab::cam
