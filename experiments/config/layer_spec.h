// One entry of [model] layers (or of a [model.blocks] list), with every default filled in.
//
//   for (const LayerSpec& layer : cfg.layers()) {
//     if (layer.type == "conv") add_conv(layer.out, layer.kernel, layer.stride, layer.pad);
//     if (is_merge(layer.type)) add_merge(layer.inputs);                  // {"branch1", "branch3"}
//     CAMLAB_CHECK(ok, "{}: layer '{}' ...", layer.where, layer.name);   // points into the TOML
//   }
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "experiments/config/validator.h"

namespace camlab::experiments {

struct LayerSpec {
  std::string type;    // a layer_types() name: conv, linear, relu, ..., block
  std::string name;    // "" = the builder names it by its index
  int64_t repeat = 1;  // copies in sequence
  // The layers whose outputs it reads, by name ("input": the model's input); empty = the layer
  // before. Merges (add, concat, mul) read two or more.
  std::vector<std::string> inputs;
  // conv, linear, residual, pools (only the keys of the layer's type are meaningful)
  int64_t out = 0;
  int64_t in = 0;  // 0 = inferred from the previous layer
  int64_t kernel = 0;
  int64_t stride = 1;  // pools: resolved to the kernel when written as 0
  int64_t pad = 0;
  int64_t dilation = 1;
  int64_t mid = 0;  // bottleneck: the 1x1 reduction's width; 0 = out / 4
  int64_t groups = 1;
  bool bias = true;
  bool batchnorm = true;  // residual: BN after each conv
  double p = 0;           // dropout
  double slope = 0;       // leaky_relu
  double alpha = 0;       // elu
  double scale = 0;       // upsample
  std::string mode;       // upsample: nearest | bilinear
  double eps = 0;         // batchnorm
  double momentum = 0;    // batchnorm
  std::string block;      // block: the [model.blocks] entry it expands to
  std::string where;      // "fmnist.toml:14:5" or "--set model.layers.2.out=64"
  int line = 0;           // source line, 0 when the layer came from --set
  std::string path;       // "model.layers[3]"
};

// Whether a layer type combines several inputs: add, concat, mul.
bool is_merge(std::string_view type);

// The module names the model builder gives a layer list, one per copy of each layer in order:
// the layer's `name` (with 1, 2, ... appended when repeated), or for an unnamed layer its type
// (block: the block's name) and a count per type: "relu1", "relu2", "maxpool1".
std::vector<std::string> layer_names(const std::vector<LayerSpec>& layers);

// Reads a resolved (validated, defaults filled) layer list at `path`.
std::vector<LayerSpec> read_layers(const toml::array& layers, const std::string& path,
                                   const Locations& locations);

}  // namespace camlab::experiments
