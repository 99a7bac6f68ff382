// Graph models from files: an .onnx file or a checkpoint that `camlab import` wrote, loaded the
// same way, and the import itself.
//
//   std::shared_ptr<nn::Graph> model = load_graph_model("resnet18.onnx");   // or "resnet18.h5"
//   ImportSummary s = import_onnx_checkpoint("resnet18.onnx", "resnet18.h5");
//   is_graph_model_file("runs/quick/checkpoint.h5");                        // false: a config
//   model
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "nn/graph/graph.h"

namespace camlab::nn {

// Whether `path` is an .onnx file or a graph checkpoint (so the caller loads it with
// load_graph_model rather than as a run's checkpoint).
bool is_graph_model_file(const std::filesystem::path& path);

// The model in eval mode with its weights; errors name the file.
std::shared_ptr<Graph> load_graph_model(const std::filesystem::path& path);

struct ImportSummary {
  int64_t nodes = 0;
  int64_t parameters = 0;  // trainable numbers
  int64_t opset = 0;
  std::string producer;
};

// Reads the .onnx file, checks that every op is supported, and writes the graph and its weights as
// an HDF5 checkpoint at `out` (atomically: nothing is written when anything fails).
ImportSummary import_onnx_checkpoint(const std::filesystem::path& onnx,
                                     const std::filesystem::path& out);

}  // namespace camlab::nn
