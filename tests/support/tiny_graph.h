// A hand-built nn::GraphDef shaped like a torch.onnx export of a tiny GAP classifier, for tests of
// graphs and of the verbs that load them.
//
//   nn::Graph graph(test::tiny_net());                        // [N, 2, 6, 6] -> [N, 3]
//   nn::Graph rgb(test::tiny_net(DType::Float32, 3));         // [N, 3, 6, 6] -> [N, 3]
#pragma once

#include "nn/graph/graph_def.h"
#include "tensor/generator.h"
#include "tensor/ops.h"

namespace camlab::test {

// x [N, channels, 6, 6] -> /features/features.0/Conv -> /features/features.1/Relu -> /pool/GAP ->
// /Flatten -> /fc/Gemm -> logits [N, 3]
inline nn::GraphDef tiny_net(DType dtype = DType::Float32, int64_t channels = 2) {
  Generator gen(3);
  nn::GraphDef def;
  def.opset = 13;
  def.inputs = {{"input", {-1, channels, 6, 6}}};
  def.outputs = {"logits"};
  def.weights = {{"features.0.weight", ops::randn({4, channels, 3, 3}, gen, dtype), true},
                 {"features.0.bias", ops::randn({4}, gen, dtype), true},
                 {"fc.weight", ops::randn({3, 4}, gen, dtype), true},
                 {"fc.bias", ops::randn({3}, gen, dtype), true}};
  def.nodes = {
      {"/features/features.0/Conv",
       "Conv",
       {"input", "features.0.weight", "features.0.bias"},
       {"/features/features.0/Conv_output_0"},
       {{"pads", nn::Attribute::ints({1, 1, 1, 1})},
        {"kernel_shape", nn::Attribute::ints({3, 3})}}},
      {"/features/features.1/Relu",
       "Relu",
       {"/features/features.0/Conv_output_0"},
       {"/features/features.1/Relu_output_0"},
       {}},
      {"/pool/GlobalAveragePool",
       "GlobalAveragePool",
       {"/features/features.1/Relu_output_0"},
       {"/pool/GlobalAveragePool_output_0"},
       {}},
      {"/Flatten", "Flatten", {"/pool/GlobalAveragePool_output_0"}, {"/Flatten_output_0"}, {}},
      {"/fc/Gemm",
       "Gemm",
       {"/Flatten_output_0", "fc.weight", "fc.bias"},
       {"logits"},
       {{"transB", nn::Attribute::integer(1)}}}};
  return def;
}

}  // namespace camlab::test
