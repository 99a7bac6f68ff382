#include "autograd/graphviz.h"

#include <fmt/format.h>

#include <unordered_map>

#include "autograd/node.h"

namespace camlab::autograd {
namespace {

std::string shapes_label(const Node& node) {
  std::string s;
  for (const Shape& shape : node.output_shapes()) {
    if (!s.empty()) s += ' ';
    s += shape_str(shape);
  }
  return s;
}

std::string saved_label(const Node& node) {
  if (node.released()) return "\\nsaved: (freed)";
  if (node.saved_tensors().empty()) return "";
  std::string s = "\\nsaved:";
  for (const SavedTensor& saved : node.saved_tensors()) {
    const Tensor& t = saved.tensor;
    s += fmt::format(" {}{}", saved.name, t.defined() ? shape_str(t.shape()) : "");
  }
  return s;
}

}  // namespace

std::string to_dot(const Tensor& root) {
  std::string dot = "digraph autograd {\n  rankdir=BT;\n  node [fontname=\"Helvetica\"];\n";
  if (!root.defined() || !root.requires_grad()) return dot + "}\n";
  std::unordered_map<const Node*, int> ids;
  std::vector<const Node*> stack;
  Edge root_edge = gradient_edge(root);
  auto visit = [&](const Node* n) {
    if (ids.count(n)) return ids[n];
    int id = static_cast<int>(ids.size());
    ids[n] = id;
    stack.push_back(n);
    return id;
  };
  visit(root_edge.node.get());
  dot += fmt::format("  out [label=\"output {}\", shape=plaintext];\n  n0 -> out;\n",
                     shape_str(root.shape()));
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    int id = ids[node];
    if (const auto* leaf = dynamic_cast<const AccumulateGrad*>(node)) {
      dot += fmt::format(
          "  n{} [label=\"leaf {}\", shape=ellipse, style=filled, "
          "fillcolor=lightblue];\n",
          id, shape_str(node->output_shapes()[0]));
      (void)leaf;
      continue;
    }
    dot += fmt::format("  n{} [label=\"{}\\n{}{}\", shape=box];\n", id, node->name(),
                       shapes_label(*node), saved_label(*node));
    for (const Edge& e : node->next_edges()) {
      if (!e.valid()) continue;
      dot += fmt::format("  n{} -> n{};\n", visit(e.node.get()), id);
    }
  }
  return dot + "}\n";
}

}  // namespace camlab::autograd
