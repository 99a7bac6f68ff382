// One interface for every explanation method: CAM and the Grad-CAM family, Score-CAM,
// Ablation-CAM, Eigen-CAM, Random-CAM and the pixel attributions (saliency, guided backprop, ...).
//
//   model->eval();
//   auto gradcam = make_method("gradcam", *model, {.common = {.layers = {"conv4"}}});
//   Explanation e = gradcam->explain(images, Target::labels(labels));  // images [N, C, H, W]
//   e.maps;   // [N, H, W] in [0, 1]; e.raw [N, h, w] at conv4's resolution; e.targets, e.logits
//   // the hooks gradcam placed on the model are removed when it goes out of scope
//   MethodSettings settings;         // each method gets settings.common and its own part:
//   settings.occlusion.patch = 8;    // occlusion's patch, seen by occlusion only
//   auto occlusion = make_method("occlusion", *model, settings);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cam/methods/common_options.h"
#include "cam/methods/method_settings.h"
#include "cam/methods/target.h"
#include "nn/hooks.h"
#include "nn/module.h"
#include "tensor/tensor.h"

namespace camlab::cam {

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
  // The options every method shares; a method's own knobs are members of the method.
  const CommonOptions& common() const { return common_; }

  // Explains each image's target. The model runs in eval mode (restored afterwards) and with
  // grad mode on where the method needs gradients. Errors name the method and what was wrong.
  Explanation explain(const Tensor& images, const Target& target = Target::predicted());

  // The hooks this method (and any method it wraps) holds on the model: copies, inactive once the
  // method is destroyed.
  virtual std::vector<nn::ForwardHookHandle> hook_handles() const { return handles_; }

 protected:
  Method(std::string name, nn::Module& model, CommonOptions common);

  // Checks a method's batch_size (images per extra forward) is positive.
  void check_batch_size(int64_t batch_size) const;

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
  CommonOptions common_;
  std::vector<nn::ScopedForwardHook> hooks_;
  std::vector<nn::ForwardHookHandle> handles_;
};

// The registry: every CLI name, in the order the CLI lists them.
const std::vector<std::string>& method_names();
// A method by CLI name, given settings.common and its own part of the settings (defaults
// otherwise); an unknown name is an Error listing the valid ones. The model must outlive the
// method (it holds hooks on the model's modules).
std::unique_ptr<Method> make_method(const std::string& name, nn::Module& model,
                                    const MethodSettings& settings = {});

}  // namespace camlab::cam
