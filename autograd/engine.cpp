// The backward engine. One walk serves both camlab::backward (accumulate into leaves) and
// autograd::grad (capture gradients at chosen tensors, run only the part of the graph between).
//
// 1. discover: iterative DFS from the roots, counting for each node how many edges point at it;
// 2. prune (grad() only): a node is needed if it is a capture target or leads to one;
// 3. execute in Kahn order: a node runs once every node that feeds it gradient has run, so a
//    tensor used twice receives the sum of both gradients before its producer runs.
#include "autograd/engine.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace camlab {
namespace autograd {
namespace {

struct Target {
  Node* node;
  uint32_t output_nr;
};

struct Graph {
  std::unordered_map<Node*, int> dependencies;  // edges from discovered nodes into this node
  std::vector<Node*> nodes;                     // every node reachable from the roots
};

Graph discover(const std::vector<Edge>& roots) {
  Graph g;
  std::unordered_set<Node*> seen;
  std::vector<Node*> stack;
  for (const Edge& r : roots) {
    if (seen.insert(r.node.get()).second) stack.push_back(r.node.get());
  }
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    g.nodes.push_back(node);
    for (const Edge& e : node->next_edges()) {
      if (!e.valid()) continue;
      ++g.dependencies[e.node.get()];
      if (seen.insert(e.node.get()).second) stack.push_back(e.node.get());
    }
  }
  return g;
}

// Nodes from which some target is reachable (targets included). Iterative post-order DFS.
std::unordered_set<Node*> needed_nodes(const Graph& g, const std::vector<Target>& targets) {
  std::unordered_set<Node*> needed;
  for (const Target& t : targets) needed.insert(t.node);
  std::unordered_set<Node*> done;
  for (Node* start : g.nodes) {
    if (done.count(start)) continue;
    std::vector<std::pair<Node*, size_t>> stack{{start, 0}};
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      const auto& edges = node->next_edges();
      if (next < edges.size()) {
        Node* child = edges[next++].node.get();
        if (child && !done.count(child)) stack.push_back({child, 0});
        continue;
      }
      for (const Edge& e : edges) {
        if (e.valid() && needed.count(e.node.get())) needed.insert(node);
      }
      done.insert(node);
      stack.pop_back();
    }
  }
  return needed;
}

// Under create_graph the sum is itself recorded (camlab::add), so the summed gradient stays
// differentiable; otherwise the raw add.
void accumulate(Tensor& slot, const Tensor& grad) {
  if (!grad.defined()) return;
  if (!slot.defined()) {
    slot = grad;
  } else {
    slot = grad_enabled() ? camlab::add(slot, grad) : ops::add(slot, grad);
  }
}

// Runs tensor hooks on the gradient of each output and keeps retained gradients.
void run_output_hooks(Node* node, std::vector<Tensor>& grads, bool keep_retained) {
  const auto& metas = node->output_metas();
  for (size_t k = 0; k < metas.size() && k < grads.size(); ++k) {
    auto meta = metas[k].lock();
    if (!meta || !grads[k].defined()) continue;
    for (const auto& [id, hook] : meta->hooks) {
      Tensor replaced = hook(grads[k]);
      if (replaced.defined()) grads[k] = replaced;
    }
    if (keep_retained && meta->retains_grad && meta->grad_fn) {
      if (meta->grad.defined()) {
        accumulate(meta->grad, grads[k]);
      } else {
        meta->grad = grad_enabled() ? grads[k] : grads[k].clone();  // create_graph keeps its graph
      }
    }
  }
}

void check_gradient_shape(const Node& producer, const Edge& edge, const Tensor& grad) {
  const Shape& expected = edge.node->output_shapes()[edge.input_nr];
  CAMLAB_CHECK(
      grad.shape() == expected,
      "autograd: backward of '{}' produced a gradient of shape {} for an input of shape {}",
      producer.name(), shape_str(grad.shape()), shape_str(expected));
}

struct RunOptions {
  bool retain_graph = false;
  bool accumulate_into_leaves = true;
  bool create_graph = false;    // run Node::apply_differentiable, with recording on
  std::vector<Target> targets;  // grad(): where to capture
};

std::vector<Tensor> run(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots,
                        const RunOptions& options) {
  CAMLAB_CHECK(grad_roots.empty() || grad_roots.size() == roots.size(),
               "backward: {} gradients given for {} outputs", grad_roots.size(), roots.size());
  std::vector<Edge> root_edges;
  for (size_t i = 0; i < roots.size(); ++i) {
    CAMLAB_CHECK(roots[i].defined() && roots[i].requires_grad(),
                 "backward: output {} does not require grad (it was computed under NoGradGuard, "
                 "or from tensors none of which require grad)",
                 i);
    root_edges.push_back(gradient_edge(roots[i]));
  }

  Graph graph = discover(root_edges);
  const bool prune = !options.targets.empty();
  std::unordered_set<Node*> needed;
  if (prune) needed = needed_nodes(graph, options.targets);
  auto is_needed = [&](Node* n) { return !prune || needed.count(n) > 0; };

  std::unordered_map<Node*, std::vector<Tensor>> buffers;
  auto buffer_of = [&](Node* n) -> std::vector<Tensor>& {
    auto& b = buffers[n];
    if (b.empty()) b.resize(n->output_shapes().size());
    return b;
  };
  for (size_t i = 0; i < roots.size(); ++i) {
    Tensor seed;
    if (!grad_roots.empty() && grad_roots[i].defined()) {
      CAMLAB_CHECK(grad_roots[i].shape() == roots[i].shape(),
                   "backward: gradient of shape {} given for output {} of shape {}",
                   shape_str(grad_roots[i].shape()), i, shape_str(roots[i].shape()));
      seed = grad_roots[i];
    } else {
      CAMLAB_CHECK(roots[i].numel() == 1,
                   "backward: output {} has shape {}; pass grad_outputs for a non-scalar output", i,
                   shape_str(roots[i].shape()));
      seed = ops::ones(roots[i].shape(), roots[i].dtype(), roots[i].device());
    }
    accumulate(buffer_of(root_edges[i].node.get())[root_edges[i].input_nr], seed);
  }

  std::vector<Tensor> captured(options.targets.size());
  std::vector<Node*> ready;
  for (const Edge& r : root_edges) {
    if (graph.dependencies[r.node.get()] == 0 &&
        std::find(ready.begin(), ready.end(), r.node.get()) == ready.end()) {
      ready.push_back(r.node.get());
    }
  }

  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    std::vector<Tensor> grads = std::move(buffer_of(node));
    buffers.erase(node);

    std::vector<Tensor> input_grads;
    if (is_needed(node)) {
      run_output_hooks(node, grads, options.accumulate_into_leaves);
      for (size_t t = 0; t < options.targets.size(); ++t) {
        if (options.targets[t].node == node) {
          accumulate(captured[t], grads[options.targets[t].output_nr]);
        }
      }
      bool any =
          std::any_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); });
      bool is_leaf_sink = dynamic_cast<AccumulateGrad*>(node) != nullptr;
      std::vector<bool> needs;
      for (const Edge& e : node->next_edges())
        needs.push_back(e.valid() && is_needed(e.node.get()));
      // A capture target with nothing needed below it (Grad-CAM's activation) stops here.
      bool useful = is_leaf_sink ? options.accumulate_into_leaves
                                 : std::find(needs.begin(), needs.end(), true) != needs.end();
      if (any && useful) {
        CAMLAB_CHECK(!node->released(),
                     "autograd: trying to backward through '{}' a second time, but its saved "
                     "tensors were freed; pass retain_graph=true to the first backward",
                     node->name());
        input_grads = options.create_graph ? node->apply_differentiable(std::move(grads), needs)
                                           : node->apply(std::move(grads), needs);
        if (!options.retain_graph && !is_leaf_sink) node->release_saved();
      }
    }

    const auto& edges = node->next_edges();
    for (size_t j = 0; j < edges.size(); ++j) {
      const Edge& e = edges[j];
      if (!e.valid()) continue;
      if (j < input_grads.size() && input_grads[j].defined()) {
        check_gradient_shape(*node, e, input_grads[j]);
        accumulate(buffer_of(e.node.get())[e.input_nr], input_grads[j]);
      }
      if (--graph.dependencies[e.node.get()] == 0) ready.push_back(e.node.get());
    }
  }
  return captured;
}

}  // namespace

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph,
                         bool allow_unused, bool create_graph) {
  // create_graph keeps the graph: the new gradient's graph reads the old one's saved tensors.
  RunOptions options{.retain_graph = retain_graph || create_graph,
                     .accumulate_into_leaves = false,
                     .create_graph = create_graph};
  for (size_t i = 0; i < inputs.size(); ++i) {
    CAMLAB_CHECK(inputs[i].defined() && inputs[i].requires_grad(),
                 "autograd::grad: input {} does not require grad", i);
    Edge e = gradient_edge(inputs[i]);
    options.targets.push_back({e.node.get(), e.input_nr});
  }
  // The graph must stay alive while we hold raw target pointers: the inputs keep it.
  // Backward formulas use raw ops and record nothing, unless create_graph asks them to.
  GradModeGuard mode(create_graph);
  std::vector<Tensor> result = run(outputs, grad_outputs, options);
  for (size_t i = 0; i < result.size(); ++i) {
    CAMLAB_CHECK(result[i].defined() || allow_unused,
                 "autograd::grad: input {} (shape {}) was not used to compute the outputs; pass "
                 "allow_unused=true to get an undefined gradient instead",
                 i, shape_str(inputs[i].shape()));
  }
  return result;
}

}  // namespace autograd

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_roots,
              bool retain_graph, bool create_graph) {
  autograd::GradModeGuard mode(create_graph);
  autograd::run(roots, grad_roots,
                {.retain_graph = retain_graph || create_graph, .create_graph = create_graph});
}

}  // namespace camlab
