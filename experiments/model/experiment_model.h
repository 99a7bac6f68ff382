// The network an experiment trains: the [model] layers built as a Sequential, or an imported
// model to fine-tune (model.graph, an .onnx file or a `camlab import` checkpoint) with a fresh
// head for the experiment's classes (model.head_classes) and frozen modules (model.freeze).
//
//   Config cfg = load_config("finetune.toml");   // [model] graph = "resnet18.onnx",
//                                                //   head_classes = 10, freeze = ["layer1"]
//   Generator gen(cfg.get_int("experiment.seed"));
//   std::shared_ptr<nn::Module> model = build_experiment_model(cfg, {3, 224, 224}, gen);
//
// An imported graph trains as it runs at inference: BatchNormalization on its running statistics
// (frozen batch norm, as detection fine-tuning uses) and Dropout as the identity. Its weights are
// saved in the run's checkpoints by state_dict name, and the graph itself is read again from
// model.graph whenever the run is loaded, so that file must stay where the config says.
#pragma once

#include <memory>

#include "experiments/config/config.h"
#include "nn/module.h"
#include "tensor/generator.h"
#include "tensor/shape.h"

namespace camlab::experiments {

// input_chw: one image's [C, H, W] (the layers' first input; a graph checks its own).
std::shared_ptr<nn::Module> build_experiment_model(const Config& cfg, const Shape& input_chw,
                                                   Generator& gen);

}  // namespace camlab::experiments
