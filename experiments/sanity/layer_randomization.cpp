#include "experiments/sanity/layer_randomization.h"

#include <fmt/format.h>

#include <algorithm>

#include "autograd/grad_mode.h"
#include "datasets/seeding.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/init.h"
#include "nn/linear.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

// Stream tag of the sanity checks' re-initialisations ("SANITY01").
constexpr uint64_t kSanityStream = 0x5341'4e49'5459'3031ull;

// Whether `module` registers a parameter itself (a name without a dot), not only its children.
bool owns_parameters(const nn::Module& module) {
  const nn::NamedTensors params = module.named_parameters();
  return std::any_of(params.begin(), params.end(), [](const nn::NamedTensors::Entry& e) {
    return e.first.find('.') == std::string::npos;
  });
}

bool known_type(const nn::Module& module) {
  return dynamic_cast<const nn::Conv2d*>(&module) != nullptr ||
         dynamic_cast<const nn::Linear*>(&module) != nullptr ||
         dynamic_cast<const nn::BatchNorm2d*>(&module) != nullptr;
}

// Writes `values` into the model's tensor `target` (an undefined target, a layer without bias, is
// left alone).
void assign(const Tensor& target, const Tensor& values) {
  if (!target.defined()) return;
  Tensor handle = target;  // a handle: copy_ writes into the model's storage
  handle.copy_(values.to(target.device()));
}

}  // namespace

std::vector<ParametrisedLayer> parametrised_layers(nn::Module& model) {
  std::vector<ParametrisedLayer> layers;
  for (const auto& [name, module] : model.named_modules()) {
    if (!owns_parameters(*module)) continue;
    CAMLAB_CHECK(known_type(*module),
                 "sanity: layer '{}' is a {} with parameters of its own, which the sanity checks "
                 "cannot re-initialise; they know Conv2d, Linear and BatchNorm2d",
                 name.empty() ? module->type_name() : name, module->type_name());
    layers.push_back(
        {.name = name, .type = module->type_name(), .index = static_cast<int64_t>(layers.size())});
  }
  CAMLAB_CHECK(!layers.empty(), "sanity: the model has no parametrised layer to randomize");
  return layers;
}

std::vector<ParametrisedLayer> select_layers(const std::vector<ParametrisedLayer>& all,
                                             const std::vector<std::string>& names) {
  if (names.empty()) return all;
  std::vector<std::string> valid;
  for (const ParametrisedLayer& l : all) valid.push_back(l.name);
  for (const std::string& name : names) {
    CAMLAB_CHECK(std::find(valid.begin(), valid.end(), name) != valid.end(),
                 "sanity: --layers names '{}', which is not a parametrised layer of the model; "
                 "valid: {}",
                 name, fmt::join(valid, ", "));
  }
  std::vector<ParametrisedLayer> chosen;
  for (const ParametrisedLayer& l : all) {
    if (std::find(names.begin(), names.end(), l.name) != names.end()) chosen.push_back(l);
  }
  return chosen;
}

void randomize_layer(nn::Module& model, const ParametrisedLayer& layer, uint64_t seed) {
  autograd::NoGradGuard no_grad;
  Generator gen(datasets::derive_seed(datasets::derive_seed(seed, kSanityStream),
                                      static_cast<uint64_t>(layer.index)));
  nn::Module& module = model.find(layer.name);
  auto reset_weight_and_bias = [&](const Tensor& weight, const Tensor& bias) {
    // Drawn on the CPU in one call, so the bias bound comes from the weight's fan_in.
    Tensor w = ops::zeros(weight.shape(), weight.dtype());
    Tensor b = bias.defined() ? ops::zeros(bias.shape(), bias.dtype()) : Tensor();
    nn::init::reset_conv_or_linear(w, b, gen);
    assign(weight, w);
    assign(bias, b);
  };
  if (auto* conv = dynamic_cast<nn::Conv2d*>(&module)) {
    reset_weight_and_bias(conv->weight, conv->bias);
  } else if (auto* linear = dynamic_cast<nn::Linear*>(&module)) {
    reset_weight_and_bias(linear->weight, linear->bias);
  } else if (auto* bn = dynamic_cast<nn::BatchNorm2d*>(&module)) {
    for (const Tensor* one : {&bn->weight, &bn->running_var}) {
      if (one->defined()) assign(*one, ops::full_like(*one, 1.0));
    }
    for (const Tensor* zero : {&bn->bias, &bn->running_mean}) {
      if (zero->defined()) assign(*zero, ops::zeros_like(*zero));
    }
  } else {
    fail("sanity: layer '{}' is a {}; only Conv2d, Linear and BatchNorm2d can be re-initialised",
         layer.name, module.type_name());
  }
}

ModelSnapshot::ModelSnapshot(const nn::Module& model) {
  autograd::NoGradGuard no_grad;  // plain copies of the values, outside any graph
  for (const auto& [name, tensor] : model.state_dict()) state_.insert(name, tensor.clone());
}

void ModelSnapshot::restore(nn::Module& model) const { model.load_state_dict(state_); }

std::vector<RandomizationStep> cascading_steps(const std::vector<ParametrisedLayer>& layers) {
  std::vector<RandomizationStep> steps;
  std::vector<ParametrisedLayer> so_far;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    so_far.push_back(*it);
    steps.push_back({.randomization = "cascading", .layer = it->name, .randomized = so_far});
  }
  return steps;
}

std::vector<RandomizationStep> independent_steps(const std::vector<ParametrisedLayer>& layers) {
  std::vector<RandomizationStep> steps;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    steps.push_back({.randomization = "independent", .layer = it->name, .randomized = {*it}});
  }
  return steps;
}

}  // namespace camlab::experiments
