#include "nn/graph/graph.h"

#include <algorithm>
#include <set>

#include "autograd/grad_mode.h"
#include "nn/sequential.h"
#include "tensor/suggest.h"

namespace camlab::nn {
namespace {

// "layer4.1.relu_1" -> "layer4.1.relu": a trailing _N (N digits) dropped from every dotted part,
// since torch.onnx numbers the second and later calls of one module that way.
std::string without_call_suffixes(const std::string& path) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t dot = std::min(path.find('.', start), path.size());
    std::string part = path.substr(start, dot - start);
    const size_t underscore = part.rfind('_');
    if (underscore != std::string::npos && underscore + 1 < part.size() &&
        std::all_of(part.begin() + underscore + 1, part.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      part.resize(underscore);
    }
    out += part;
    if (dot == path.size()) return out;
    out += '.';
    start = dot + 1;
  }
}

// Module names may not hold '.', ONNX names often do.
std::string child_name(const std::string& onnx_name, std::set<std::string>& taken) {
  std::string name = onnx_name.empty() ? "node" : onnx_name;
  std::replace(name.begin(), name.end(), '.', '_');
  std::string unique = name;
  for (int i = 2; taken.count(unique); ++i) unique = name + "_" + std::to_string(i);
  taken.insert(unique);
  return unique;
}

std::vector<std::string> split_scopes(std::string_view node_name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= node_name.size()) {
    const size_t slash = node_name.find('/', start);
    const size_t end = slash == std::string_view::npos ? node_name.size() : slash;
    if (end > start) parts.emplace_back(node_name.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool in_scope(const std::string& path, std::string_view scope) {
  return path == scope || (path.size() > scope.size() &&
                           path.compare(0, scope.size(), scope) == 0 && path[scope.size()] == '.');
}

bool is_size_keeping_pool(const std::string& op) {
  return op == "AveragePool" || op == "GlobalAveragePool" || op == "Identity" || op == "Dropout";
}

// A value some node needs; one that an op left out (an optional output camlab does not make) is an
// Unsupported naming it.
const Tensor& value_of(const std::map<std::string, Tensor, std::less<>>& values,
                       const std::string& name, const std::string& reader) {
  auto it = values.find(name);
  if (it == values.end() || !it->second.defined()) {
    unsupported("'{}' reads value '{}', an optional output camlab does not produce", reader, name);
  }
  return it->second;
}

// Per node: a Conv with one output that no graph output names and that exactly one node reads,
// the next one, a Relu. Such a pair may run as one fused convolution.
std::vector<bool> conv_read_by_next_relu_alone(const GraphDef& def) {
  std::map<std::string, int> readers;
  for (const NodeDef& node : def.nodes) {
    for (const std::string& input : node.inputs) ++readers[input];
  }
  for (const std::string& output : def.outputs) ++readers[output];
  std::vector<bool> fusable(def.nodes.size(), false);
  for (size_t n = 0; n + 1 < def.nodes.size(); ++n) {
    const NodeDef& conv = def.nodes[n];
    const NodeDef& next = def.nodes[n + 1];
    fusable[n] = conv.op_type == "Conv" && conv.outputs.size() == 1 && next.op_type == "Relu" &&
                 next.inputs.size() == 1 && next.inputs[0] == conv.outputs[0] &&
                 readers[conv.outputs[0]] == 1;
  }
  return fusable;
}

// Per node: the values it is the last reader of, leaving out weights and graph outputs (they live
// on after the node).
std::vector<std::vector<std::string>> values_last_read(const GraphDef& def) {
  std::set<std::string> kept(def.outputs.begin(), def.outputs.end());
  for (const NamedWeight& w : def.weights) kept.insert(w.name);
  std::map<std::string, size_t> last;
  for (size_t n = 0; n < def.nodes.size(); ++n) {
    for (const std::string& input : def.nodes[n].inputs) {
      if (!input.empty() && !kept.count(input)) last[input] = n;
    }
  }
  std::vector<std::vector<std::string>> by_node(def.nodes.size());
  for (const auto& [name, n] : last) by_node[n].push_back(name);
  return by_node;
}

}  // namespace

std::string module_path_of(std::string_view node_name) {
  if (node_name.empty() || node_name[0] != '/') return "";
  std::vector<std::string> parts = split_scopes(node_name);
  if (!parts.empty()) parts.pop_back();  // the op's own name ("Relu", "Conv_1")
  std::string path;
  for (const std::string& part : parts) {
    if (!path.empty() && part.compare(0, path.size() + 1, path + ".") == 0) {
      path = part;  // already the full dotted path ("layer4.1" under "layer4")
    } else {
      path = path.empty() ? part : path + "." + part;
    }
  }
  return path;
}

GraphNode::GraphNode(const NodeDef& def, const GraphOp& op, int64_t opset)
    : def_(def), op_(op), opset_(opset) {}

std::string GraphNode::extra_repr() const {
  return fmt::format("{} -> {}", fmt::join(def_.inputs, ", "), fmt::join(def_.outputs, ", "));
}

std::vector<Tensor> GraphNode::run(const std::vector<Tensor>& inputs, bool fused_relu) {
  pending_ = inputs;
  fused_relu_ = fused_relu;
  results_.clear();
  Tensor first = (*this)(inputs.empty() ? Tensor() : inputs[0]);
  std::vector<Tensor> outputs = std::move(results_);
  if (!outputs.empty()) outputs[0] = first;  // a forward hook may have replaced it
  pending_.clear();
  return outputs;
}

Tensor GraphNode::forward(const Tensor& first) {
  std::vector<Tensor> inputs = pending_;
  if (!inputs.empty()) inputs[0] = first;  // a pre-hook may have replaced it
  results_ = op_.run(OpContext{def_, opset_, std::move(inputs), is_training(), fused_relu_});
  return results_.empty() ? Tensor() : results_[0];
}

void validate_graph(const GraphDef& def) {
  std::set<std::string> known;
  for (const ValueInfo& input : def.inputs) known.insert(input.name);
  for (const NamedWeight& w : def.weights) known.insert(w.name);
  for (const NodeDef& node : def.nodes) {
    if (find_graph_op(node.op_type) == nullptr) {
      unsupported(
          "node '{}' has op type '{}' (opset {}), which camlab does not support; supported ops: {}",
          node.label(), node.op_type, def.opset, fmt::join(graph_op_names(), ", "));
    }
    for (const std::string& input : node.inputs) {
      CAMLAB_CHECK(input.empty() || known.count(input),
                   "{} node '{}' reads '{}', which no earlier "
                   "node, graph input or weight produces",
                   node.op_type, node.label(), input);
    }
    for (const std::string& output : node.outputs) known.insert(output);
  }
  for (const std::string& output : def.outputs) {
    CAMLAB_CHECK(known.count(output), "graph output '{}' is produced by no node", output);
  }
}

Graph::Graph(GraphDef def) {
  validate_graph(def);
  def_ = std::move(def);
  std::set<std::string> taken;
  for (const NamedWeight& w : def_.weights) {
    Tensor& field = weights_.emplace_back(w.value);
    weight_of_[w.name] = &field;
    if (w.value.dtype() == DType::Int64) continue;  // shape constants stay on the host
    const std::string key = child_name(w.name, taken);
    state_key_[w.name] = key;
    if (w.trainable) {
      register_parameter(key, field);
    } else {
      register_buffer(key, field);
    }
  }
  for (const NodeDef& node : def_.nodes) {
    auto child = std::make_shared<GraphNode>(node, *find_graph_op(node.op_type), def_.opset);
    const std::string name = child_name(node.outputs.empty() ? node.name : node.outputs[0], taken);
    register_module(name, child);
    nodes_.push_back(child);
    node_names_.push_back(name);
    const std::string path = module_path_of(node.name);
    // "relu_1" is PyTorch's second call of module "relu": both spellings name it.
    const std::string plain = without_call_suffixes(path);
    scopes_.push_back(plain == path ? std::vector<std::string>{path}
                                    : std::vector<std::string>{path, plain});
  }
  relu_reads_only_ = conv_read_by_next_relu_alone(def_);
  last_read_by_ = values_last_read(def_);
}

std::string Graph::extra_repr() const {
  return fmt::format("opset={}, nodes={}, weights={}", def_.opset, def_.nodes.size(),
                     def_.weights.size());
}

const Tensor& Graph::weight(const std::string& name) const {
  auto it = weight_of_.find(name);
  CAMLAB_CHECK(it != weight_of_.end(), "graph: no weight '{}'", name);
  return *it->second;
}

std::string Graph::state_key(const std::string& name) const {
  auto it = state_key_.find(name);
  return it == state_key_.end() ? "" : it->second;
}

Tensor Graph::forward(const Tensor& input) {
  CAMLAB_CHECK(def_.inputs.size() == 1,
               "graph: forward takes one input but the graph has {}; use "
               "run()",
               def_.inputs.size());
  return run({input})[0];
}

bool Graph::fuses_relu(size_t n) const {
  return relu_reads_only_[n] && conv_relu_fusion() && !nodes_[n]->has_hooks() &&
         !nodes_[n + 1]->has_hooks();
}

std::vector<Tensor> Graph::run_node(size_t n, std::map<std::string, Tensor, std::less<>>& values,
                                    bool fused_relu) {
  const NodeDef& node = def_.nodes[n];
  std::vector<Tensor> args;
  for (const std::string& input : node.inputs) {
    args.push_back(input.empty() ? Tensor() : value_of(values, input, node.label()));
  }
  try {
    return nodes_[n]->run(args, fused_relu);
  } catch (const Unsupported&) {
    throw;
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.find(node.op_type + " node") != std::string::npos) throw;
    fail("{} node '{}': {}", node.op_type, node.label(), what);
  }
}

std::vector<Tensor> Graph::run(const std::vector<Tensor>& inputs) {
  CAMLAB_CHECK(inputs.size() == def_.inputs.size(), "graph: {} inputs given, the graph takes {}",
               inputs.size(), def_.inputs.size());
  std::map<std::string, Tensor, std::less<>> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ValueInfo& info = def_.inputs[i];
    const Tensor& x = inputs[i];
    // Fixed dims must match; -1 (symbolic, e.g. the batch) takes any size.
    bool fits = x.dim() == static_cast<int64_t>(info.shape.size()) || info.shape.empty();
    for (size_t d = 0; fits && d < info.shape.size(); ++d) {
      fits = info.shape[d] < 0 || info.shape[d] == x.size(static_cast<int64_t>(d));
    }
    CAMLAB_CHECK(fits, "graph: input '{}' has shape {} but the model takes [{}] (-1: any size)",
                 info.name, shape_str(x.shape()), fmt::join(info.shape, ", "));
    values[info.name] = x;
  }
  for (const auto& [name, tensor] : weight_of_) values[name] = *tensor;
  for (size_t n = 0; n < nodes_.size(); ++n) {
    const bool fused = fuses_relu(n);
    std::vector<Tensor> results = run_node(n, values, fused);
    for (const std::string& name : last_read_by_[n]) values.erase(name);
    if (fused) ++n;  // the Relu ran in the convolution's epilogue: its outputs are these
    const NodeDef& node = def_.nodes[n];
    for (size_t o = 0; o < node.outputs.size() && o < results.size(); ++o) {
      if (!node.outputs[o].empty()) values[node.outputs[o]] = results[o];
    }
  }
  std::vector<Tensor> outputs;
  for (const std::string& name : def_.outputs)
    outputs.push_back(value_of(values, name, "graph output"));
  return outputs;
}

std::vector<std::string> Graph::module_paths() const {
  std::set<std::string> paths;
  for (const auto& scopes : scopes_) {
    for (const std::string& path : scopes) {
      // Every enclosing module too: "layer4.1.conv1" is inside "layer4.1" and "layer4".
      for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
        paths.insert(path.substr(0, dot));
      }
      if (!path.empty()) paths.insert(path);
    }
  }
  return {paths.begin(), paths.end()};
}

std::vector<std::string> Graph::layer_candidates() const {
  std::vector<std::string> names = module_paths();
  for (const NodeDef& node : def_.nodes) {
    if (!node.outputs.empty()) names.push_back(node.outputs[0]);
  }
  return names;
}

int64_t Graph::freeze(std::string_view path) {
  std::set<std::string> frozen;
  for (size_t n = 0; n < nodes_.size(); ++n) {
    const bool inside = std::any_of(scopes_[n].begin(), scopes_[n].end(), [&](const auto& scope) {
      return !path.empty() && in_scope(scope, path);
    });
    if (!inside) continue;
    for (const std::string& input : def_.nodes[n].inputs) {
      auto weight = weight_of_.find(input);
      if (weight == weight_of_.end() || !weight->second->requires_grad()) continue;
      weight->second->set_requires_grad(false);
      frozen.insert(input);
    }
  }
  CAMLAB_CHECK(!frozen.empty(), "no trainable weight inside module '{}'; nearest module paths: {}",
               path, fmt::join(nearest_candidates(path, module_paths(), 6), ", "));
  return static_cast<int64_t>(frozen.size());
}

std::string Graph::resolve_layer(std::string_view name, std::string_view who) const {
  for (size_t n = 0; n < nodes_.size(); ++n) {
    const NodeDef& node = def_.nodes[n];
    if (node_names_[n] == name || node.name == name ||
        (!node.outputs.empty() && node.outputs[0] == name)) {
      return node_names_[n];
    }
  }
  // A module path: the last node (in run order) inside that module's scope.
  for (size_t n = nodes_.size(); n-- > 0;) {
    for (const std::string& path : scopes_[n]) {
      if (!name.empty() && in_scope(path, name)) return node_names_[n];
    }
  }
  fail(
      "{}: no layer '{}' in the graph; nearest: {} (a layer is a PyTorch module path such as "
      "'layer4' or an ONNX output name)",
      who, name, fmt::join(nearest_candidates(name, layer_candidates(), 6), ", "));
}

int64_t Graph::input_channels(int64_t unknown) const {
  if (def_.inputs.empty()) return unknown;
  const std::vector<int64_t>& shape = def_.inputs[0].shape;  // [N, C, H, W], -1 where symbolic
  return shape.size() == 4 && shape[1] > 0 ? shape[1] : unknown;
}

std::string Graph::default_cam_layer(const Tensor& images) {
  std::vector<Shape> in_shape(nodes_.size()), out_shape(nodes_.size());
  std::vector<ScopedForwardHook> hooks;
  for (size_t n = 0; n < nodes_.size(); ++n) {
    hooks.emplace_back(
        nodes_[n]->register_forward_hook([&, n](Module&, const Tensor& x, const Tensor& y) {
          if (x.defined()) in_shape[n] = x.shape();
          if (y.defined()) out_shape[n] = y.shape();
        }));
  }
  {
    autograd::NoGradGuard no_grad;
    run({images.narrow(0, 0, 1)});
  }
  std::map<std::string, size_t> producer;
  for (size_t n = 0; n < nodes_.size(); ++n) {
    for (const std::string& out : def_.nodes[n].outputs) producer[out] = n;
  }
  auto spatial = [](const Shape& s) { return s.size() == 4 ? s[2] * s[3] : int64_t{0}; };
  for (size_t n = 0; n < nodes_.size(); ++n) {
    const NodeDef& node = def_.nodes[n];
    if (in_shape[n].size() != 4 || node.inputs.empty() || !producer.count(node.inputs[0])) continue;
    // Global pooling or flatten: a 4-d map with several positions becomes a vector (2-d, or
    // [N, C, 1, 1]).
    const bool flattens = out_shape[n].size() == 2;
    const bool pools =
        out_shape[n].size() == 4 && spatial(out_shape[n]) == 1 && spatial(in_shape[n]) > 1;
    if (!flattens && !pools) continue;
    size_t source = producer[node.inputs[0]];
    // A pool that keeps the size (VGG's adaptive 7×7 pool of a 7×7 map) is not the activation.
    while (is_size_keeping_pool(def_.nodes[source].op_type) &&
           in_shape[source] == out_shape[source] && producer.count(def_.nodes[source].inputs[0])) {
      source = producer[def_.nodes[source].inputs[0]];
    }
    return node_names_[source];
  }
  for (size_t n = nodes_.size(); n-- > 0;) {
    if (out_shape[n].size() == 4) return node_names_[n];
  }
  fail("graph: no node has a 4-d [N, C, h, w] output to explain; name a layer");
}

}  // namespace camlab::nn
