// Builds the network a config's [model] describes, darknet-style: a list of layers whose input
// sizes are inferred from the layer before, every layer named so CAM methods can target it.
//
//   Config cfg = load_config("experiments/configs/fmnist-gapnet.toml");
//   Generator gen(cfg.get_int("experiment.seed"));
//   auto model = build_model(cfg.layers(), cfg.blocks(), {1, 28, 28}, gen);
//   Tensor logits = (*model)(images);          // [N, 10]
//   model->find("conv4");                       // by the name the config gave
//
// Unnamed layers are named by type and count ("relu1", "relu2", "maxpool1"); a `block` layer
// becomes a nested Sequential whose children keep their own names ("stage1.conv1"). A layer whose
// input does not fit is an Error naming the layer, where the config defines it, and both shapes.
// A layer with `inputs` reads the named earlier layers instead of the one before; add, concat and
// mul merge several, and a merge whose inputs do not fit names both inputs and their shapes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "experiments/config/layer_spec.h"
#include "nn/sequential.h"
#include "tensor/generator.h"
#include "tensor/shape.h"

namespace camlab::experiments {

using BlockTable = std::map<std::string, std::vector<LayerSpec>>;

// input_chw: one image's [C, H, W].
std::shared_ptr<nn::Sequential> build_model(const std::vector<LayerSpec>& layers,
                                            const BlockTable& blocks, const Shape& input_chw,
                                            Generator& gen);

}  // namespace camlab::experiments
