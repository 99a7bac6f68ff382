// A new classifier head for an imported graph, for fine-tuning on another class count: the Gemm
// that produces the graph's output gets a fresh weight and bias, initialised as PyTorch's
// nn.Linear is (U(−1/√F, 1/√F), F the features it reads).
//
//   GraphDef def = load_graph_model("resnet18.onnx")->def();
//   def = with_new_head(std::move(def), 10, gen);        // fc: [1000, 512] -> [10, 512]
//   auto graph = std::make_shared<Graph>(std::move(def));
//   graph->freeze("layer1");                             // and train the rest
#pragma once

#include <cstdint>

#include "nn/graph/graph_def.h"
#include "tensor/generator.h"

namespace camlab::nn {

// An Error when the graph's first output is not produced by a Gemm whose weight is an initializer
// (what torch.onnx writes for a final nn.Linear), naming the node and its op type.
GraphDef with_new_head(GraphDef def, int64_t classes, Generator& gen);

}  // namespace camlab::nn
