#include "cam/methods/method.h"

#include <array>
#include <utility>

#include "autograd/grad_mode.h"
#include "cam/methods/map_ops.h"
#include "nn/conv2d.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// Puts every module in eval mode for a scope and restores each module's own mode afterwards
// (train() is recursive, so parents are restored before their children).
class EvalModeGuard {
 public:
  explicit EvalModeGuard(nn::Module& model) {
    for (const auto& [name, module] : model.named_modules()) {
      modes_.emplace_back(module, module->is_training());
    }
    model.eval();
  }
  ~EvalModeGuard() {
    for (const auto& [module, training] : modes_) module->train(training);
  }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  std::vector<std::pair<nn::Module*, bool>> modes_;
};

// pytorch-grad-cam's aug_smooth (ttach): horizontal flip x brightness multiplier.
struct Augmentation {
  bool flip;
  double brightness;
};
constexpr std::array<Augmentation, 6> kAugmentations = {
    {{false, 0.9}, {false, 1.0}, {false, 1.1}, {true, 0.9}, {true, 1.0}, {true, 1.1}}};

// The mean over augmentations of a per-image tensor [6·N, ...] with the flips undone.
Tensor deaugment_mean(const Tensor& stacked, int64_t n) {
  Tensor sum;
  for (size_t a = 0; a < kAugmentations.size(); ++a) {
    Tensor part = stacked.narrow(0, static_cast<int64_t>(a) * n, n);
    if (kAugmentations[a].flip) part = flip_width(part);
    sum = sum.defined() ? ops::add(sum, part) : part.contiguous();
  }
  return ops::mul(sum, 1.0 / static_cast<double>(kAugmentations.size()));
}

}  // namespace

Method::Method(std::string name, nn::Module& model, CommonOptions common)
    : name_(std::move(name)), model_(model), common_(std::move(common)) {
  CAMLAB_CHECK(common_.image_shape.empty() || common_.image_shape.size() == 3,
               "{}: image_shape must be {{C, H, W}}, got {} values", name_,
               common_.image_shape.size());
}

void Method::check_batch_size(int64_t batch_size) const {
  CAMLAB_CHECK(batch_size > 0, "{}: batch_size must be positive, got {}", name_, batch_size);
}

void Method::keep_hook(const nn::ForwardHookHandle& handle) {
  handles_.push_back(handle);
  hooks_.emplace_back(handle);
}

void Method::check_images(const Tensor& images) const {
  CAMLAB_CHECK(images.defined() && images.dim() == 4 && images.size(0) > 0,
               "{}: images must be a batch [N, C, H, W] with N >= 1, got {}", name_,
               images.defined() ? shape_str(images.shape()) : "undefined");
  CAMLAB_CHECK(is_floating(images.dtype()), "{}: images must be float32 or float64, got {}", name_,
               dtype_name(images.dtype()));
  const auto& want = common_.image_shape;
  if (!want.empty()) {
    CAMLAB_CHECK(
        images.size(1) == want[0] && images.size(2) == want[1] && images.size(3) == want[2],
        "{}: images are {} but the model takes [N, {}, {}, {}] (image_shape)", name_,
        shape_str(images.shape()), want[0], want[1], want[2]);
  }
  for (const auto& [path, module] : model_.named_modules()) {
    if (const auto* conv = dynamic_cast<const nn::Conv2d*>(module)) {
      CAMLAB_CHECK(images.size(1) == conv->in_channels(),
                   "{}: images have {} channels but the model's first convolution '{}' expects {}",
                   name_, images.size(1), path, conv->in_channels());
      break;
    }
  }
}

Tensor Method::forward(const Tensor& images) {
  try {
    return model_(images);
  } catch (const Error& e) {
    fail("{}: the model cannot take images of shape {}: {}", name_, shape_str(images.shape()),
         e.what());
  }
}

Explanation Method::explain(const Tensor& images, const Target& target) {
  check_images(images);
  EvalModeGuard eval(model_);
  return common_.aug_smooth ? explain_augmented(images, target) : compute(images, target);
}

Explanation Method::explain_augmented(const Tensor& images, const Target& target) {
  const int64_t n = images.size(0);
  // Classes come from the images as given, so every augmented copy explains the same class.
  Tensor logits;
  {
    autograd::NoGradGuard no_grad;
    logits = forward(images);
  }
  Tensor classes = target.classes(logits, name_);

  std::vector<Tensor> copies;
  for (const Augmentation& aug : kAugmentations) {
    Tensor copy = ops::mul(images, aug.brightness);
    copies.push_back(aug.flip ? flip_width(copy) : copy);
  }
  std::vector<Tensor> repeated(kAugmentations.size(), classes);
  const Target same_classes = Target::labels(ops::cat(repeated, 0)).with_score(target.score_fn());
  Explanation all = compute(ops::cat(copies, 0), same_classes);  // [6·N, ...]

  Explanation out;
  out.raw = deaugment_mean(all.raw, n);
  out.maps = display_maps(out.raw, images.size(2), images.size(3));
  if (all.attributions.defined()) out.attributions = deaugment_mean(all.attributions, n);
  out.targets = classes;
  out.logits = logits;
  out.layer = all.layer;
  return out;
}

}  // namespace camlab::cam
