#include "autograd/node.h"

#include <fmt/ranges.h>

#include <atomic>

#include "autograd/ops.h"
#include "tensor/ops.h"

namespace camlab::autograd {
namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
}

Node::Node() : sequence_nr_(g_next_sequence_nr++) {}

namespace {
// Nodes and saved tensors whose destruction was deferred by a Node destructor; the outermost
// destructor drains them in a loop instead of letting shared_ptr recurse down the chain.
struct Graveyard {
  std::vector<std::shared_ptr<Node>> nodes;
  std::vector<Tensor> tensors;
  bool draining = false;
};
thread_local Graveyard g_graveyard;
}  // namespace

Node::~Node() {
  Graveyard& yard = g_graveyard;
  for (Edge& e : next_edges_) {
    if (e.node) yard.nodes.push_back(std::move(e.node));
  }
  for (SavedTensor& s : saved_) yard.tensors.push_back(std::move(s.tensor));
  if (yard.draining) return;
  yard.draining = true;
  while (!yard.nodes.empty() || !yard.tensors.empty()) {
    if (!yard.tensors.empty()) {
      Tensor t = std::move(yard.tensors.back());
      yard.tensors.pop_back();
    } else {
      std::shared_ptr<Node> n = std::move(yard.nodes.back());
      yard.nodes.pop_back();
    }
  }
  yard.draining = false;
}

void Node::save(const std::vector<std::pair<std::string, Tensor>>& named) {
  saved_.clear();
  for (const auto& [saved_name, tensor] : named) {
    const uint64_t version = tensor.defined() ? tensor.storage()->version() : 0;
    saved_.push_back({saved_name, tensor, version});
  }
}

const Tensor& Node::saved(std::string_view saved_name) const {
  CAMLAB_CHECK(!released_,
               "autograd: backward of '{}' reads its saved '{}', but the saved tensors were freed "
               "by an earlier backward; pass retain_graph=true to the first backward",
               name(), saved_name);
  for (const SavedTensor& s : saved_) {
    if (s.name != saved_name) continue;
    if (s.tensor.defined()) {
      const uint64_t now = s.tensor.storage()->version();
      CAMLAB_CHECK(now == s.version,
                   "autograd: '{}' saved '{}' {} at version {}, but it was modified in place "
                   "(now version {}) before backward; clone() it before the in-place write, or "
                   "write after backward",
                   name(), saved_name, shape_str(s.tensor.shape()), s.version, now);
    }
    return s.tensor;
  }
  fail("autograd: backward of '{}' asks for a saved tensor '{}' it never saved (saved: {})", name(),
       saved_name, fmt::join(saved_names(), ", "));
}

std::vector<Tensor> Node::apply_differentiable(std::vector<Tensor>, const std::vector<bool>&) {
  fail(
      "autograd: create_graph: the backward of '{}' is not differentiable yet; differentiate "
      "once (create_graph=false) or avoid '{}' in this graph",
      name(), name());
}

void Node::mark_saved_outputs(const std::vector<Tensor>& outputs) {
  for (SavedTensor& s : saved_) {
    if (!s.tensor.defined()) continue;
    for (size_t k = 0; k < outputs.size(); ++k) {
      const Tensor& out = outputs[k];
      if (out.defined() && out.storage() == s.tensor.storage() &&
          out.offset() == s.tensor.offset() && out.shape() == s.tensor.shape() &&
          out.strides() == s.tensor.strides()) {
        s.output_nr = static_cast<int64_t>(k);
      }
    }
  }
}

Tensor Node::saved_as_output(std::string_view saved_name) {
  const Tensor& stored = saved(saved_name);  // checks release and in-place writes
  int64_t output_nr = -1;
  for (const SavedTensor& s : saved_) {
    if (s.name == saved_name) output_nr = s.output_nr;
  }
  if (output_nr < 0 || !stored.defined()) return stored;
  Tensor connected = make_view(stored, stored.shape(), stored.strides(), stored.offset());
  const auto& meta = connected.autograd_meta();
  meta->requires_grad = true;
  meta->grad_fn = shared_from_this();
  meta->output_nr = static_cast<uint32_t>(output_nr);
  return connected;
}

std::vector<std::string> Node::saved_names() const {
  std::vector<std::string> names;
  for (const SavedTensor& s : saved_) names.push_back(s.name);
  return names;
}

void Node::release_saved() {
  saved_.clear();
  released_ = true;
}

void Node::add_output(const std::shared_ptr<AutogradMeta>& meta, const Shape& shape, DType dtype,
                      Device device) {
  output_metas_.push_back(meta);
  output_shapes_.push_back(shape);
  output_dtypes_.push_back(dtype);
  output_device_ = device;
}

std::vector<Tensor> AccumulateGrad::apply(std::vector<Tensor> grad_outputs,
                                          const std::vector<bool>&) {
  const Tensor& incoming = grad_outputs[0];
  if (!incoming.defined()) return {};
  // A fresh tensor, so that later in-place accumulation never writes into a gradient that an
  // op or a hook still holds.
  store(leaf_->grad.defined() ? ops::add(leaf_->grad, incoming) : incoming.clone());
  return {};
}

void AccumulateGrad::store(Tensor grad) {
  leaf_->grad = std::move(grad);
  // A copy of the list: a hook may remove itself (distributed/data_parallel.h launches a bucket's
  // all-reduce here, while the rest of the backward still runs).
  const auto hooks = leaf_->post_accumulate_hooks;
  for (const auto& [id, hook] : hooks) hook(leaf_->grad);
}

std::vector<Tensor> AccumulateGrad::apply_differentiable(std::vector<Tensor> grad_outputs,
                                                         const std::vector<bool>&) {
  const Tensor& incoming = grad_outputs[0];
  if (!incoming.defined()) return {};
  store(leaf_->grad.defined() ? camlab::add(leaf_->grad, incoming) : incoming);
  return {};
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return {};
  const auto& meta = t.autograd_meta();
  if (meta->grad_fn) return {meta->grad_fn, meta->output_nr};
  std::shared_ptr<Node> accumulator = meta->grad_accumulator.lock();
  if (!accumulator) {
    accumulator = std::make_shared<AccumulateGrad>(meta);
    accumulator->add_output(meta, t.shape(), t.dtype(), t.device());
    meta->grad_accumulator = accumulator;
  }
  return {accumulator, 0};
}

}  // namespace camlab::autograd
