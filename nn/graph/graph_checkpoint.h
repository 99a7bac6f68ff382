// An nn::Graph in the HDF5 checkpoint format: /model holds the weights by state_dict name as for
// any model, the root attribute "graph" holds the nodes, attributes, names, inputs, outputs and
// opset as JSON, and /graph_constants holds the integer (shape) constants.
//
//   save_graph_checkpoint("resnet18.h5", *graph);          // what `camlab import` writes
//   if (is_graph_checkpoint("resnet18.h5")) {
//     std::shared_ptr<Graph> back = load_graph_checkpoint("resnet18.h5");
//   }
#pragma once

#include <filesystem>
#include <memory>

#include "nn/graph/graph.h"

namespace camlab::nn {

void save_graph_checkpoint(const std::filesystem::path& path, const Graph& graph);
// Whether `path` is an HDF5 checkpoint holding a graph (false for a missing or other file).
bool is_graph_checkpoint(const std::filesystem::path& path);
// The graph with its weights; errors name the file.
std::shared_ptr<Graph> load_graph_checkpoint(const std::filesystem::path& path);

}  // namespace camlab::nn
