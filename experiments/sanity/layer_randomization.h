// The model randomization of the sanity checks (Adebayo et al. 2018, sec. 3): which layers own
// parameters, re-initialising one with its own initialiser, and the two schedules — cascading from
// the logits down to the first layer, and one layer at a time.
//
//   std::vector<ParametrisedLayer> layers = parametrised_layers(*model);   // conv1 ... fc
//   ModelSnapshot trained(*model);                          // the weights to come back to
//   randomize_layer(*model, layers.back(), seed);           // fc re-initialised, reproducibly
//   trained.restore(*model);
//   for (const RandomizationStep& s : cascading_steps(layers)) ...        // fc; fc+conv4; ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/module.h"
#include "nn/named_tensors.h"

namespace camlab::experiments {

struct ParametrisedLayer {
  std::string name;   // the dotted module name, "conv4" or "stage1.conv2"
  std::string type;   // "Conv2d", "Linear", "BatchNorm2d"
  int64_t index = 0;  // position among the model's parametrised layers: its seed stream
};

// The modules that own parameters themselves, in registration order (a Sequential's forward
// order). A parametrised module of another type is an Error naming it, since it has no known
// initialiser (an imported ONNX graph holds its weights at the top: also an Error).
std::vector<ParametrisedLayer> parametrised_layers(nn::Module& model);

// The layers named in `names` (all when empty), in the model's order; an unknown name is an Error
// listing the valid ones.
std::vector<ParametrisedLayer> select_layers(const std::vector<ParametrisedLayer>& all,
                                             const std::vector<std::string>& names);

// Re-initialises the layer's parameters with its type's own initialiser, PyTorch's
// reset_parameters: Conv2d and Linear U(−1/√fan_in, 1/√fan_in) for weight and bias; BatchNorm2d
// γ = 1, β = 0 and its running statistics back to mean 0, variance 1. The generator is seeded by
// (seed, layer.index), so a layer gets the same weights in every schedule.
void randomize_layer(nn::Module& model, const ParametrisedLayer& layer, uint64_t seed);

// A deep copy of a model's parameters and buffers.
class ModelSnapshot {
 public:
  explicit ModelSnapshot(const nn::Module& model);
  void restore(nn::Module& model) const;

 private:
  nn::NamedTensors state_;
};

// One model the maps are recomputed on: `layer` names the column ("fc", "conv4"), `randomized`
// every layer re-initialised for it.
struct RandomizationStep {
  std::string randomization;  // "cascading" or "independent"
  std::string layer;
  std::vector<ParametrisedLayer> randomized;
};

// Cascading (sec. 3.1): the top layer first, then each layer below added, down to the first.
std::vector<RandomizationStep> cascading_steps(const std::vector<ParametrisedLayer>& layers);
// Independent: each layer alone, the rest trained; top layer first, as the cascading columns.
std::vector<RandomizationStep> independent_steps(const std::vector<ParametrisedLayer>& layers);

}  // namespace camlab::experiments
