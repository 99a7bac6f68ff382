#include "cam/visualize/feature_vis.h"

#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "cam/methods/layers.h"
#include "cam/methods/relu_rules.h"
#include "cam/visualize/model_probe.h"
#include "nn/hooks.h"
#include "nn/named_tensors.h"
#include "nn/optim/adam.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam::visualize {
namespace {

using Size = std::array<int64_t, 2>;  // {H, W}

// Thrown by the capture hook once the target layer has run: the layers after it need not.
struct StopForward {};

// Gradient ascent records a graph even when the caller runs under a NoGradGuard.
class GradModeOn {
 public:
  GradModeOn() : previous_(autograd::grad_enabled()) { autograd::set_grad_enabled(true); }
  ~GradModeOn() { autograd::set_grad_enabled(previous_); }
  GradModeOn(const GradModeOn&) = delete;
  GradModeOn& operator=(const GradModeOn&) = delete;

 private:
  bool previous_;
};

bool uses_layer(Objective objective) { return objective != Objective::Class; }

void validate(const FeatureVisOptions& o) {
  const std::string_view name = objective_name(o.objective);
  CAMLAB_CHECK(!uses_layer(o.objective) || !o.layer.empty(),
               "visualize: the {} objective needs a layer (e.g. --layer conv4)", name);
  const bool needs_units = o.objective != Objective::DeepDream;
  CAMLAB_CHECK(!needs_units || !o.units.empty(),
               "visualize: the {} objective needs {} (e.g. --channels 0:16)", name,
               o.objective == Objective::Class ? "classes" : "channels");
  CAMLAB_CHECK(o.objective != Objective::Diversity || o.units.size() == 1,
               "visualize: the diversity objective takes exactly one channel, got {}; its batch "
               "(batch = {}) holds the variations",
               o.units.size(), o.batch);
  CAMLAB_CHECK(o.objective != Objective::Diversity || o.batch >= 2,
               "visualize: the diversity objective needs batch >= 2, got {}", o.batch);
  for (int64_t unit : o.units) {
    CAMLAB_CHECK(unit >= 0, "visualize: unit {} is negative; channels and classes count from 0",
                 unit);
  }
  CAMLAB_CHECK(o.objective != Objective::DeepDream || o.start_image.defined(),
               "visualize: the deepdream objective starts from an image; set start_image "
               "(--index N picks a dataset item)");
  if (o.objective != Objective::DeepDream) {
    CAMLAB_CHECK(o.image_shape.size() == 3 && o.image_shape[0] > 0 && o.image_shape[1] > 0 &&
                     o.image_shape[2] > 0,
                 "visualize: image_shape must be [C, H, W] with positive sizes, got {}",
                 shape_str(o.image_shape));
  }
  CAMLAB_CHECK(o.steps >= 0 && o.octaves >= 1 && (o.octaves == 1 || o.octave_scale > 1.0),
               "visualize: need steps >= 0, octaves >= 1 and octave_scale > 1; got steps={}, "
               "octaves={}, octave_scale={}",
               o.steps, o.octaves, o.octave_scale);
  CAMLAB_CHECK(o.lr >= 0 && o.init_std >= 0 && o.l1 >= 0 && o.l2 >= 0 && o.tv >= 0 &&
                   o.class_l2 >= 0 && o.blur_sigma >= 0 && o.diversity >= 0,
               "visualize: lr, init_std, penalty weights, blur_sigma and diversity must be >= 0");
  CAMLAB_CHECK(!o.value_range || o.value_range->high > o.value_range->low,
               "visualize: value_range [{}, {}] is empty; give low < high",
               o.value_range ? o.value_range->low : 0.0, o.value_range ? o.value_range->high : 0.0);
  CAMLAB_CHECK(o.blur_every >= 1, "visualize: blur_every must be >= 1, got {}", o.blur_every);
}

// Smallest first: the last octave is the full size, each earlier one octave_scale times smaller.
std::vector<Size> octave_sizes(int64_t height, int64_t width, const FeatureVisOptions& o) {
  std::vector<Size> sizes;
  for (int64_t k = o.octaves - 1; k >= 0; --k) {
    const double shrink = std::pow(o.octave_scale, static_cast<double>(k));
    sizes.push_back({std::max<int64_t>(1, std::lround(static_cast<double>(height) / shrink)),
                     std::max<int64_t>(1, std::lround(static_cast<double>(width) / shrink))});
  }
  return sizes;
}

Tensor resized(const Tensor& images, Size size) {
  if (images.size(2) == size[0] && images.size(3) == size[1]) return images;
  return ops::upsample_bilinear2d(images, size, false);
}

// Runs the model as far as the objective reads: to the hooked layer (then stops), or to the
// logits.
class ObjectiveForward {
 public:
  ObjectiveForward(nn::Module& model, const FeatureVisOptions& options) : model_(model) {
    if (!uses_layer(options.objective)) return;
    layer_ = options.layer;
    nn::Module& layer = cam::find_layer(model, options.layer, "visualize");
    hook_ = layer.register_forward_hook([this](nn::Module&, const Tensor&, const Tensor& output) {
      if (!armed_) return;  // another forward (e.g. listing the spatial layers for an error)
      captured_ = output;
      throw StopForward{};
    });
  }
  ObjectiveForward(const ObjectiveForward&) = delete;
  ObjectiveForward& operator=(const ObjectiveForward&) = delete;

  Tensor operator()(const Tensor& x) {
    if (layer_.empty()) return model_(x);
    captured_ = Tensor();
    armed_ = true;
    try {
      model_(x);
    } catch (const StopForward&) {
    } catch (...) {
      armed_ = false;
      throw;
    }
    armed_ = false;
    CAMLAB_CHECK(captured_.defined(),
                 "visualize: layer '{}' did not run in the model's forward; pick a layer on the "
                 "path from input to output",
                 layer_);
    return std::exchange(captured_, Tensor());
  }

 private:
  nn::Module& model_;
  std::string layer_;
  bool armed_ = false;
  Tensor captured_;
  nn::ScopedForwardHook hook_;
};

// The one-line errors for a layer the objective cannot read, from the first (probe) forward.
void check_target(nn::Module& model, const FeatureVisOptions& o, const Tensor& out,
                  const Tensor& probe_input) {
  const std::string_view name = objective_name(o.objective);
  if (o.objective == Objective::Class) {
    CAMLAB_CHECK(out.dim() == 2,
                 "visualize: the class objective needs logits [N, classes] from the model, got {}",
                 shape_str(out.shape()));
    for (int64_t unit : o.units) {
      CAMLAB_CHECK(unit < out.size(1),
                   "visualize: class {} is out of range: the model gives {} logits (valid 0..{})",
                   unit, out.size(1), out.size(1) - 1);
    }
    return;
  }
  const bool spatial = o.objective == Objective::Channel || o.objective == Objective::Diversity;
  if ((spatial && out.dim() != 4) ||
      (o.objective == Objective::Neuron && out.dim() != 2 && out.dim() != 4)) {
    fail(
        "visualize: the {} objective needs a spatial output [N, C, H, W], but layer '{}' gives "
        "{}; use a spatial layer ({}) or --objective neuron",
        name, o.layer, shape_str(out.shape()),
        nn::join_names(spatial_layer_names(model, probe_input), 200));
  }
  if (o.objective == Objective::DeepDream) return;
  for (int64_t unit : o.units) {
    CAMLAB_CHECK(unit < out.size(1),
                 "visualize: channel {} is out of range for layer '{}', which has {} channels "
                 "(valid 0..{})",
                 unit, o.layer, out.size(1), out.size(1) - 1);
  }
}

// [B]: each image's own objective, without penalties.
Tensor objective_per_image(const Tensor& out, const FeatureVisOptions& o,
                           const std::vector<int64_t>& units) {
  switch (o.objective) {
    case Objective::Channel:
    case Objective::Diversity: {
      const int64_t border = o.border >= 0 ? o.border : auto_border(out.size(2), out.size(3));
      return channel_objective(out, units, border);
    }
    case Objective::Neuron: return neuron_objective(out, units);
    case Objective::Class: return class_objective(out, units);
    case Objective::DeepDream: return deepdream_objective(out);
  }
  fail("visualize: unhandled objective");
}

// The scalar gradient ascent maximises: Σ_b objective_b − weighted penalties.
Tensor ascent_target(const Tensor& image, const Tensor& out, const FeatureVisOptions& o,
                     const std::vector<int64_t>& units) {
  Tensor total = camlab::sum(objective_per_image(out, o, units));
  const double l2 = o.l2 + (o.objective == Objective::Class ? o.class_l2 : 0.0);
  if (o.l1 > 0) total = total - o.l1 * camlab::sum(l1_penalty(image));
  if (l2 > 0) total = total - l2 * camlab::sum(l2_penalty(image));
  if (o.tv > 0) total = total - o.tv * camlab::sum(tv_penalty(image));
  if (o.objective == Objective::Diversity && o.diversity > 0) {
    total = total - o.diversity * diversity_penalty(out);
  }
  return total;
}

struct Evaluation {
  std::vector<double> objective;  // per image
  double diversity = 0;
};

Evaluation evaluate(ObjectiveForward& forward, const Tensor& images, const FeatureVisOptions& o,
                    const std::vector<int64_t>& units) {
  autograd::NoGradGuard no_grad;
  const Tensor out = forward(images);
  Evaluation eval;
  const Tensor values = objective_per_image(out, o, units).to(Device::cpu()).to(DType::Float64);
  for (int64_t b = 0; b < values.numel(); ++b) eval.objective.push_back(values.at<double>({b}));
  if (o.objective == Objective::Diversity) eval.diversity = diversity_penalty(out).item();
  return eval;
}

// A ReLU unit that never fires on the faint start noise has no gradient at all. Such images get
// their noise amplified 4x, up to 3 times (σ 0.1 -> 6.4), before the ascent starts.
void wake_silent_units(ObjectiveForward& forward, ImageParam& param, const FeatureVisOptions& o,
                       const std::vector<int64_t>& units) {
  if (o.objective == Objective::Class || o.objective == Objective::DeepDream) return;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const Evaluation now = evaluate(forward, param.detached_image(), o, units);
    bool silent = false;
    for (size_t b = 0; b < now.objective.size(); ++b) {
      if (now.objective[b] != 0.0) continue;
      param.amplify(static_cast<int64_t>(b), 4.0);
      silent = true;
    }
    if (!silent) return;
  }
}

// One octave's update rule on the leaf.
class Ascent {
 public:
  Ascent(AscentOptimizer kind, double lr, const Tensor& leaf) : kind_(kind), lr_(lr), leaf_(leaf) {
    if (kind == AscentOptimizer::Adam) {
      adam_ = std::make_unique<nn::Adam>(std::vector<Tensor>{leaf}, nn::AdamOptions{.lr = lr});
    }
  }

  // grad: d(target)/d(leaf); the target goes up.
  void step(const Tensor& grad) {
    autograd::NoGradGuard no_grad;
    if (kind_ == AscentOptimizer::Adam) {
      leaf_.set_grad(ops::neg(grad));  // Adam minimises −target
      adam_->step();
      leaf_.zero_grad();
      return;
    }
    // Chollet: g / (√mean(g²) + 1e-5), per image so batching channels changes nothing.
    Shape per_image;
    for (int64_t d = 1; d < grad.dim(); ++d) per_image.push_back(d);
    const Tensor rms = ops::add(ops::sqrt(ops::mean(ops::mul(grad, grad), per_image, true)), 1e-5);
    leaf_.copy_(ops::add(leaf_, ops::mul(ops::div(grad, rms), lr_)));
  }

 private:
  AscentOptimizer kind_;
  double lr_;
  Tensor leaf_;
  std::unique_ptr<nn::Adam> adam_;
};

// The images to start from at the first octave's size.
ImageParam start_param(const FeatureVisOptions& o, const Tensor& original, int64_t batch, Size size,
                       Generator& gen, DType dtype, Device device) {
  if (original.defined()) {
    const Tensor many =
        original.size(0) == batch
            ? original
            : original.expand({batch, original.size(1), original.size(2), original.size(3)});
    return ImageParam(o.parametrization, resized(many.contiguous(), size), o.value_range);
  }
  return ImageParam::random(o.parametrization, {batch, o.image_shape[0], size[0], size[1]},
                            o.init_std, gen, dtype, device, o.value_range);
}

// The start image as [N, C, H, W] in the model's dtype and device (undefined when none).
Tensor start_batch(const FeatureVisOptions& o, DType dtype, Device device) {
  if (!o.start_image.defined()) return {};
  const Tensor& s = o.start_image;
  CAMLAB_CHECK(s.dim() == 3 || s.dim() == 4,
               "visualize: start_image must be [C, H, W] or [N, C, H, W], got {}",
               shape_str(s.shape()));
  const Tensor batch = (s.dim() == 3 ? s.unsqueeze(0) : s).to(dtype).to(device).contiguous();
  CAMLAB_CHECK(o.objective == Objective::DeepDream || batch.size(0) == 1,
               "visualize: start_image for the {} objective must be one image, got {}",
               objective_name(o.objective), shape_str(s.shape()));
  return batch;
}

}  // namespace

FeatureVisResult visualize_features(nn::Module& model, const FeatureVisOptions& options) {
  validate(options);
  EvalModeGuard eval_mode(model);
  GradModeOn grad_mode;
  const Device device = model_device(model);
  const DType dtype = model_dtype(model);
  Generator gen(options.seed);

  const Tensor original = start_batch(options, dtype, device);  // [N, C, H, W] or undefined
  const bool dream = options.objective == Objective::DeepDream;
  const Shape chw =
      dream ? Shape{original.size(1), original.size(2), original.size(3)} : options.image_shape;
  std::vector<int64_t> units = options.units;
  if (options.objective == Objective::Diversity) units.assign(options.batch, options.units[0]);
  if (dream) units.assign(original.size(0), -1);
  const auto batch = static_cast<int64_t>(units.size());
  const std::vector<Size> sizes = octave_sizes(chw[1], chw[2], options);
  const double lr = options.lr > 0 ? options.lr : 0.05;

  // The rule hooks go on before ObjectiveForward's capture hook, so that what the capture sees
  // at a ReLU target layer is the rule's output, whose backward the rule owns.
  ReluRuleHooks relu_rules;
  std::vector<nn::ScopedForwardHook> relu_rule_hooks;
  if (options.redirect_relu) {
    for (nn::ForwardHookHandle& h : relu_rules.attach(model, ReluRule::Redirected, "visualize",
                                                      /*allow_none=*/true)) {
      relu_rule_hooks.emplace_back(std::move(h));
    }
  }
  ObjectiveForward forward(model, options);
  ImageParam param = start_param(options, original, batch, sizes[0], gen, dtype, device);

  // The first forward checks the layer and the units.
  {
    const Tensor probe = param.detached_image();
    Tensor out;
    try {
      autograd::NoGradGuard no_grad;
      out = forward(probe);
    } catch (const Error& e) {
      if (sizes.front() == sizes.back()) throw;
      fail(
          "visualize: the model failed on the first octave's {}x{} input ({}); a model with a "
          "fixed input size needs --octaves 1",
          sizes[0][0], sizes[0][1], e.what());
    }
    check_target(model, options, out, probe);
  }
  if (!original.defined()) wake_silent_units(forward, param, options, units);
  const Evaluation start = evaluate(forward, param.detached_image(), options, units);

  std::optional<ReluRuleHooks::Armed> redirecting;
  if (options.redirect_relu) redirecting.emplace(relu_rules);
  for (size_t octave = 0; octave < sizes.size(); ++octave) {
    if (octave > 0) {
      Tensor next = resized(param.detached_image(), sizes[octave]);
      if (dream) {
        // Chollet's deepdream re-injects the detail that upscaling a small image loses.
        const Tensor sharp = resized(original, sizes[octave]);
        const Tensor soft = resized(resized(original, sizes[octave - 1]), sizes[octave]);
        next = ops::add(next, ops::sub(sharp, soft));
      }
      param = ImageParam(options.parametrization, next, options.value_range);
    }
    Ascent ascent(options.optimizer, lr, param.leaf());
    for (int64_t step = 0; step < options.steps; ++step) {
      const Tensor image = param.image();  // [B, C, h, w]
      const Tensor seen = options.robustness.any()
                              ? affine_resample(image, draw_transform(options.robustness, gen))
                              : image;
      const Tensor target = ascent_target(image, forward(seen), options, units);
      ascent.step(autograd::grad({target}, {param.leaf()})[0]);
      if (options.blur_sigma > 0 && (step + 1) % options.blur_every == 0) {
        param.blur(options.blur_sigma);
      }
    }
  }

  const Tensor final_images = param.detached_image();  // [B, C, H, W]
  const Evaluation end = evaluate(forward, final_images, options, units);

  FeatureVisResult result;
  result.images = final_images.to(Device::cpu());
  FeatureVisRecord& r = result.record;
  r.objective = objective_name(options.objective);
  r.layer = uses_layer(options.objective) ? options.layer : "";
  r.parametrization = parametrization_name(options.parametrization);
  r.optimizer = optimizer_name(options.optimizer);
  r.lr = lr;
  r.steps = options.steps;
  r.octaves = options.octaves;
  r.image_shape = {final_images.size(1), final_images.size(2), final_images.size(3)};
  if (options.value_range) r.value_range = {options.value_range->low, options.value_range->high};
  r.seed = options.seed;
  for (int64_t b = 0; b < batch; ++b) {
    r.units.push_back({.image = b,
                       .unit = units[b],
                       .start_objective = start.objective[b],
                       .final_objective = end.objective[b]});
  }
  r.final_penalties = measure_penalties(final_images);
  r.start_diversity = start.diversity;
  r.final_diversity = end.diversity;
  return result;
}

}  // namespace camlab::cam::visualize
