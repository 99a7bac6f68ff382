// GraphDef: a network as a list of named nodes over named values — what an ONNX file holds, in
// camlab's own types, so that nn::Graph and the HDF5 checkpoint never see protobuf.
//
//   GraphDef def;
//   def.inputs = {{"x", {-1, 3, 32, 32}}};                       // -1: a symbolic (batch) dim
//   def.nodes.push_back({"/conv/Conv", "Conv", {"x", "w"}, {"y"}, {{"pads", Attribute::ints({1, 1,
//   1, 1})}}}); def.weights.push_back({"w", w});                              // initializers
//   def.outputs = {"y"};
//   int64_t pads = def.nodes[0].ints("pads")[0];
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::nn {

// One node attribute: a number, a string, a list of numbers or a tensor (ONNX AttributeProto's
// kinds that convnets use).
struct Attribute {
  enum class Kind { Int, Float, String, Ints, Floats, Tensor };
  Kind kind = Kind::Int;
  std::vector<int64_t> int_values;   // Int (one value) or Ints
  std::vector<double> float_values;  // Float (one value) or Floats
  std::string text;                  // String
  camlab::Tensor tensor;             // Tensor (a Constant's value)

  static Attribute integer(int64_t v) { return {.kind = Kind::Int, .int_values = {v}}; }
  static Attribute real(double v) { return {.kind = Kind::Float, .float_values = {v}}; }
  static Attribute string(std::string v) { return {.kind = Kind::String, .text = std::move(v)}; }
  static Attribute ints(std::vector<int64_t> v) {
    return {.kind = Kind::Ints, .int_values = std::move(v)};
  }
  static Attribute floats(std::vector<double> v) {
    return {.kind = Kind::Floats, .float_values = std::move(v)};
  }
};

const char* attribute_kind_name(Attribute::Kind kind);

struct NodeDef {
  std::string name;     // ONNX node name, e.g. "/layer4/layer4.1/relu_1/Relu" (may be empty)
  std::string op_type;  // "Conv"
  std::vector<std::string> inputs;   // value names; "" marks an omitted optional input
  std::vector<std::string> outputs;  // value names
  std::map<std::string, Attribute> attributes;

  // Typed attribute access; a missing attribute gives `fallback`, a wrong kind is an Error naming
  // the node and the attribute.
  int64_t integer(const std::string& key, int64_t fallback) const;
  double real(const std::string& key, double fallback) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> ints(const std::string& key, std::vector<int64_t> fallback = {}) const;
  std::vector<double> floats(const std::string& key, std::vector<double> fallback = {}) const;
  bool has(const std::string& key) const { return attributes.count(key) != 0; }
  // What error messages call the node: its name, else its first output.
  std::string label() const;
};

struct ValueInfo {
  std::string name;
  std::vector<int64_t> shape;  // -1 where the dimension is symbolic ("batch") or unknown
};

struct NamedWeight {
  std::string name;
  camlab::Tensor value;   // host tensor: Float32 weights, Int64 shape constants
  bool trainable = true;  // false: a buffer (BatchNorm running statistics, constants)
};

struct GraphDef {
  std::vector<ValueInfo> inputs;  // the graph inputs that are not weights, in order
  std::vector<std::string> outputs;
  std::vector<NodeDef> nodes;  // topologically sorted
  std::vector<NamedWeight> weights;
  int64_t opset = 0;     // the default ("ai.onnx") domain's version
  std::string producer;  // "pytorch 1.13.0"
};

}  // namespace camlab::nn
