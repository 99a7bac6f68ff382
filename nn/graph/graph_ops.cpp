#include "nn/graph/graph_ops.h"

#include <algorithm>
#include <map>

#include "tensor/graph_guard.h"

namespace camlab::nn {
namespace {

const std::map<std::string, GraphOp, std::less<>>& registry() {
  static const auto table = [] {
    std::map<std::string, GraphOp, std::less<>> ops;
    for (const auto& family : {elementwise_graph_ops(), shape_graph_ops(), layer_graph_ops()}) {
      for (const GraphOp& op : family) ops.emplace(std::string(op.name), op);
    }
    return ops;
  }();
  return table;
}

}  // namespace

const GraphOp* find_graph_op(std::string_view op_type) {
  auto it = registry().find(op_type);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<std::string> graph_op_names() {
  std::vector<std::string> names;
  for (const auto& [name, op] : registry()) names.push_back(name);
  return names;
}

std::string OpContext::where() const {
  return fmt::format("{} node '{}'", node.op_type, node.label());
}

const Tensor& OpContext::in(size_t i) const {
  CAMLAB_CHECK(has(i), "{}: input {} is missing (the node has {} inputs)", where(), i,
               inputs.size());
  return inputs[i];
}

std::vector<int64_t> OpContext::ints(size_t i) const {
  const Tensor& t = in(i);
  CAMLAB_CHECK(is_int(t), "{}: input {} must be an int64 tensor, got {}", where(), i,
               dtype_name(t.dtype()));
  const RawOpScope reads_only;  // the values of a shape input, not a step of the graph
  Tensor host = t.to(Device::cpu()).contiguous();
  return {host.data<int64_t>(), host.data<int64_t>() + host.numel()};
}

double OpContext::number(size_t i) const {
  const Tensor& t = in(i);
  CAMLAB_CHECK(t.numel() == 1, "{}: input {} must be a scalar, got shape {}", where(), i,
               shape_str(t.shape()));
  const RawOpScope reads_only;  // a scalar attribute's value, not a step of the graph
  return t.to(Device::cpu()).to(DType::Float64).contiguous().data<double>()[0];
}

int64_t normalize_axis(const OpContext& ctx, int64_t axis, int64_t rank) {
  CAMLAB_CHECK(axis >= -rank && axis < rank, "{}: axis {} is out of range for a {}-d input",
               ctx.where(), axis, rank);
  return axis < 0 ? axis + rank : axis;
}

Tensor int_tensor(const std::vector<int64_t>& values, bool scalar) {
  if (scalar) return Tensor::from_vector(values, {});
  return Tensor::from_vector(values, {static_cast<int64_t>(values.size())});
}

}  // namespace camlab::nn
