#include "nn/onnx/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <set>

#include "nn/graph/gelu_fusion.h"
#include "nn/graph/graph.h"
#include "nn/graph/graph_ops.h"

namespace camlab::nn {
namespace {

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  CAMLAB_CHECK(in.good(), "{}: cannot open the file", path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <typename T>
Tensor from_raw(const std::string& raw, const Shape& shape, DType dtype, const std::string& name) {
  CAMLAB_CHECK(raw.size() == sizeof(T) * static_cast<size_t>(numel(shape)),
               "tensor '{}': raw_data holds {} bytes, shape {} needs {}", name, raw.size(),
               shape_str(shape), sizeof(T) * static_cast<size_t>(numel(shape)));
  return Tensor::from_buffer(raw.data(), shape, dtype).clone();  // little-endian, as x86 and ONNX
}

template <typename T, typename Field>
Tensor from_field(const Field& field, const Shape& shape, const std::string& name) {
  CAMLAB_CHECK(static_cast<int64_t>(field.size()) == numel(shape),
               "tensor '{}': {} values for shape {}", name, field.size(), shape_str(shape));
  return Tensor::from_vector(std::vector<T>(field.begin(), field.end()), shape);
}

Tensor to_tensor(const onnx::TensorProto& proto) {
  const std::string& name = proto.name();
  CAMLAB_CHECK(proto.data_location() != onnx::TensorProto::EXTERNAL,
               "tensor '{}' keeps its data in an external file, which camlab does not read; "
               "re-export with the weights inside the .onnx file",
               name);
  Shape shape(proto.dims().begin(), proto.dims().end());
  const bool raw = proto.has_raw_data();
  switch (proto.data_type()) {
    case onnx::TensorProto::FLOAT:
      return raw ? from_raw<float>(proto.raw_data(), shape, DType::Float32, name)
                 : from_field<float>(proto.float_data(), shape, name);
    case onnx::TensorProto::DOUBLE:
      return raw ? from_raw<double>(proto.raw_data(), shape, DType::Float64, name)
                 : from_field<double>(proto.double_data(), shape, name);
    case onnx::TensorProto::INT64:
      return raw ? from_raw<int64_t>(proto.raw_data(), shape, DType::Int64, name)
                 : from_field<int64_t>(proto.int64_data(), shape, name);
    case onnx::TensorProto::INT32: {
      if (!raw) return from_field<int64_t>(proto.int32_data(), shape, name);
      Tensor narrow32 = Tensor::empty(shape, DType::Int64);
      CAMLAB_CHECK(proto.raw_data().size() == 4 * static_cast<size_t>(numel(shape)),
                   "tensor '{}': raw_data size does not match shape {}", name, shape_str(shape));
      for (int64_t i = 0; i < numel(shape); ++i) {
        int32_t v = 0;
        std::memcpy(&v, proto.raw_data().data() + 4 * i, 4);
        narrow32.data<int64_t>()[i] = v;
      }
      return narrow32;
    }
    default:
      unsupported(
          "tensor '{}' has ONNX data type {} ({}); camlab reads float, double, int64 and "
          "int32",
          name, proto.data_type(),
          onnx::TensorProto::DataType_Name(
              static_cast<onnx::TensorProto::DataType>(proto.data_type())));
  }
}

Attribute to_attribute(const onnx::AttributeProto& a, const std::string& node) {
  switch (a.type()) {
    case onnx::AttributeProto::INT: return Attribute::integer(a.i());
    case onnx::AttributeProto::FLOAT: return Attribute::real(a.f());
    case onnx::AttributeProto::STRING: return Attribute::string(a.s());
    case onnx::AttributeProto::INTS: return Attribute::ints({a.ints().begin(), a.ints().end()});
    case onnx::AttributeProto::FLOATS:
      return Attribute::floats({a.floats().begin(), a.floats().end()});
    case onnx::AttributeProto::TENSOR: {
      Attribute t{.kind = Attribute::Kind::Tensor};
      t.tensor = to_tensor(a.t());
      return t;
    }
    default:
      unsupported("node '{}': attribute '{}' has type {}, which camlab does not read", node,
                  a.name(), onnx::AttributeProto::AttributeType_Name(a.type()));
  }
}

// A Constant node's value, from whichever of its attribute forms it uses.
Tensor constant_value(const NodeDef& node) {
  for (const auto& [key, a] : node.attributes) {
    if (key == "value") return a.tensor;
    if (key == "value_float")
      return Tensor::from_vector(std::vector<float>{static_cast<float>(a.float_values[0])}, {});
    if (key == "value_int") return Tensor::from_vector(a.int_values, {});
    if (key == "value_ints") return int_tensor(a.int_values);
    if (key == "value_floats") {
      return Tensor::from_vector(std::vector<float>(a.float_values.begin(), a.float_values.end()),
                                 {static_cast<int64_t>(a.float_values.size())});
    }
  }
  unsupported("Constant node '{}': only value, value_float(s) and value_int(s) are supported",
              node.label());
}

int64_t default_opset(const onnx::ModelProto& model) {
  for (const auto& entry : model.opset_import()) {
    if (entry.domain().empty() || entry.domain() == "ai.onnx") return entry.version();
  }
  return 0;
}

GraphDef to_graph_def(const onnx::ModelProto& model) {
  GraphDef def;
  def.opset = default_opset(model);
  def.producer = model.producer_name() + " " + model.producer_version();
  const onnx::GraphProto& graph = model.graph();
  std::set<std::string> weight_names;
  for (const onnx::TensorProto& init : graph.initializer()) {
    def.weights.push_back({init.name(), to_tensor(init), true});
    weight_names.insert(init.name());
  }
  for (const onnx::ValueInfoProto& input : graph.input()) {
    if (weight_names.count(input.name())) continue;  // old exporters list initializers as inputs
    ValueInfo info{.name = input.name(), .shape = {}};
    const auto& tensor_type = input.type().tensor_type();
    // Float32 activations; int64 for the shape and index inputs of single-op test graphs.
    if (tensor_type.elem_type() != onnx::TensorProto::FLOAT &&
        tensor_type.elem_type() != onnx::TensorProto::INT64) {
      unsupported(
          "graph input '{}' has data type {}; camlab graphs take float32 (and int64) inputs",
          input.name(),
          onnx::TensorProto::DataType_Name(
              static_cast<onnx::TensorProto::DataType>(tensor_type.elem_type())));
    }
    for (const auto& dim : tensor_type.shape().dim()) {
      info.shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    }
    def.inputs.push_back(info);
  }
  for (const onnx::ValueInfoProto& output : graph.output()) def.outputs.push_back(output.name());
  std::set<std::string> statistics;  // BatchNormalization's running mean and variance
  for (const onnx::NodeProto& proto : graph.node()) {
    NodeDef node{.name = proto.name(),
                 .op_type = proto.op_type(),
                 .inputs = {proto.input().begin(), proto.input().end()},
                 .outputs = {proto.output().begin(), proto.output().end()},
                 .attributes = {}};
    if (!proto.domain().empty() && proto.domain() != "ai.onnx") {
      unsupported(
          "node '{}' has op type '{}' from domain '{}'; camlab runs the default ONNX domain "
          "only",
          node.label(), node.op_type, proto.domain());
    }
    for (const onnx::AttributeProto& a : proto.attribute()) {
      node.attributes[a.name()] = to_attribute(a, node.label());
    }
    if (node.op_type == "Constant" && node.outputs.size() == 1) {
      def.weights.push_back({node.outputs[0], constant_value(node), false});
      continue;
    }
    if (node.op_type == "BatchNormalization") {
      for (size_t i = 3; i < node.inputs.size() && i < 5; ++i) statistics.insert(node.inputs[i]);
    }
    def.nodes.push_back(std::move(node));
  }
  for (NamedWeight& w : def.weights) {
    if (statistics.count(w.name)) w.trainable = false;
  }
  fuse_exact_gelu(def);  // before validation: the chain's Erf is not an op camlab runs
  validate_graph(def);
  return def;
}

}  // namespace

GraphDef import_onnx(const std::filesystem::path& path) {
  const std::string bytes = read_bytes(path);
  onnx::ModelProto model;
  CAMLAB_CHECK(model.ParseFromString(bytes),
               "{}: not an ONNX model (the protobuf did not parse; "
               "{} bytes)",
               path.string(), bytes.size());
  try {
    return to_graph_def(model);
  } catch (const Unsupported& e) {
    throw Unsupported(fmt::format("{}: {}", path.string(), e.what()));
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", path.string(), e.what()));
  }
}

Tensor read_onnx_tensor(const std::filesystem::path& path) {
  onnx::TensorProto proto;
  const std::string bytes = read_bytes(path);
  CAMLAB_CHECK(proto.ParseFromString(bytes), "{}: not a serialized ONNX TensorProto",
               path.string());
  try {
    return to_tensor(proto);
  } catch (const Unsupported& e) {
    throw Unsupported(fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace camlab::nn
