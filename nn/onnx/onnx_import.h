// Reading ONNX files into camlab: ModelProto -> nn::GraphDef, TensorProto -> Tensor, with the ONNX
// library's generated protobuf classes (libonnx-dev).
//
//   nn::GraphDef def = import_onnx("resnet18.onnx");   // validated: every op supported
//   auto model = std::make_shared<nn::Graph>(std::move(def));
//   Tensor x = read_onnx_tensor("test_data_set_0/input_0.pb");
//
// Constant nodes become weights (buffers); float initializers become parameters, except
// BatchNormalization's running statistics (buffers); integer initializers stay host shape values.
#pragma once

#include <filesystem>
#include <string>

#include "nn/graph/graph_def.h"
#include "tensor/tensor.h"

namespace camlab::nn {

// The model's graph. A missing or corrupt file, a node from another domain, an unsupported op or
// data type is one Error line naming the file (an Unsupported for what camlab lacks) — and nothing
// is returned half-read.
GraphDef import_onnx(const std::filesystem::path& path);

// A serialized TensorProto (the ONNX test data's input_0.pb / output_0.pb).
Tensor read_onnx_tensor(const std::filesystem::path& path);

}  // namespace camlab::nn
