#include "nn/graph/gelu_fusion.h"

#include <cmath>
#include <map>
#include <set>

namespace camlab::nn {
namespace {

struct Index {
  std::map<std::string, size_t> producer;          // value -> node
  std::map<std::string, int64_t> readers;          // value -> how many node inputs read it
  std::map<std::string, const Tensor*> constants;  // float scalar weights
  std::set<std::string> graph_outputs;
};

Index index_of(const GraphDef& def) {
  Index index;
  for (size_t n = 0; n < def.nodes.size(); ++n) {
    for (const std::string& out : def.nodes[n].outputs) index.producer[out] = n;
    for (const std::string& in : def.nodes[n].inputs) ++index.readers[in];
  }
  for (const NamedWeight& w : def.weights) {
    if (w.value.dtype() != DType::Int64 && w.value.numel() == 1) index.constants[w.name] = &w.value;
  }
  index.graph_outputs.insert(def.outputs.begin(), def.outputs.end());
  return index;
}

bool is_constant(const Index& index, const std::string& name, double value) {
  auto it = index.constants.find(name);
  return it != index.constants.end() &&
         std::abs(it->second->to(DType::Float64).item() - value) <= 1e-6 * std::abs(value);
}

// The one node that reads `value`, when exactly one does and it is not a graph output.
const NodeDef* sole_reader(const GraphDef& def, const Index& index, const std::string& value) {
  auto count = index.readers.find(value);
  if (count == index.readers.end() || count->second != 1 || index.graph_outputs.count(value)) {
    return nullptr;
  }
  for (const NodeDef& node : def.nodes) {
    for (const std::string& in : node.inputs) {
      if (in == value) return &node;
    }
  }
  return nullptr;
}

// The operand of a two-input node that is not `known` ("" when neither is).
std::string other_input(const NodeDef& node, const std::string& known) {
  if (node.inputs.size() != 2) return "";
  if (node.inputs[0] == known) return node.inputs[1];
  if (node.inputs[1] == known) return node.inputs[0];
  return "";
}

}  // namespace

int64_t fuse_exact_gelu(GraphDef& def) {
  const Index index = index_of(def);
  std::set<const NodeDef*> removed;
  std::map<const NodeDef*, NodeDef> replaced;  // the chain's last Mul -> its Gelu
  for (const NodeDef& erf : def.nodes) {
    if (erf.op_type != "Erf" || erf.inputs.size() != 1 || !index.producer.count(erf.inputs[0])) {
      continue;
    }
    const NodeDef& div = def.nodes[index.producer.at(erf.inputs[0])];
    if (div.op_type != "Div" || div.inputs.size() != 2 ||
        !is_constant(index, div.inputs[1], std::sqrt(2.0))) {
      continue;
    }
    const std::string& x = div.inputs[0];
    const NodeDef* add = sole_reader(def, index, erf.outputs[0]);
    if (!sole_reader(def, index, div.outputs[0]) || !add || add->op_type != "Add" ||
        !is_constant(index, other_input(*add, erf.outputs[0]), 1.0)) {
      continue;
    }
    const NodeDef* mul = sole_reader(def, index, add->outputs[0]);
    if (!mul || mul->op_type != "Mul" || other_input(*mul, add->outputs[0]) != x) continue;
    const NodeDef* half = sole_reader(def, index, mul->outputs[0]);
    if (!half || half->op_type != "Mul" ||
        !is_constant(index, other_input(*half, mul->outputs[0]), 0.5)) {
      continue;
    }
    removed.insert({&div, &erf, add, mul});
    replaced[half] = NodeDef{.name = half->name,
                             .op_type = "Gelu",
                             .inputs = {x},
                             .outputs = half->outputs,
                             .attributes = {{"approximate", Attribute::string("none")}}};
  }
  std::vector<NodeDef> nodes;
  for (const NodeDef& node : def.nodes) {
    if (removed.count(&node)) continue;
    auto it = replaced.find(&node);
    nodes.push_back(it == replaced.end() ? node : it->second);
  }
  def.nodes = std::move(nodes);
  return static_cast<int64_t>(replaced.size());
}

}  // namespace camlab::nn
