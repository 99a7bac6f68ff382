// The backward graph: each recorded op becomes a Node whose edges point at the nodes that made its
// inputs. Tensors point at their node (Tensor::grad_fn()), never the other way round, so a graph
// lives exactly as long as the tensors that can still reach it.
//
//   Tensor y = camlab::relu(camlab::matmul(x, w));
//   const auto& node = y.grad_fn();               // "relu"
//   node->next_edges()[0].node->name();           // "matmul"
//   node->saved_names();                          // {"x"}: what relu's backward reads
//   node->saved("x");                             // the input, checked against in-place writes
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tensor/autograd_meta.h"
#include "tensor/tensor.h"

namespace camlab::autograd {

class Node;

// Where gradient flows next: input `input_nr` of `node`. A null node means "this input needs no
// gradient".
struct Edge {
  std::shared_ptr<Node> node;
  uint32_t input_nr = 0;
  bool valid() const { return node != nullptr; }
};

// One tensor a node keeps for its backward, with the version of its storage when it was saved.
struct SavedTensor {
  std::string name;
  Tensor tensor;  // undefined when the op chose not to keep it (conv2d's x for a frozen weight)
  uint64_t version = 0;
  int64_t output_nr = -1;  // which output of its node this is (sigmoid's y), or −1 for an input
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  // Tears long chains down iteratively: a 10,000-op graph must not recurse 10,000 destructors deep.
  virtual ~Node();

  virtual std::string name() const = 0;
  // grad_outputs: one per output of the op (undefined where no gradient arrived).
  // needs_input_grad: per input edge, whether anything downstream wants that gradient.
  // Returns one gradient per input edge (undefined where none is needed).
  virtual std::vector<Tensor> apply(std::vector<Tensor> grad_outputs,
                                    const std::vector<bool>& needs_input_grad) = 0;
  // The same gradients computed with recorded (differentiable) ops, for create_graph. By default
  // an Error naming the op: a missing double backward must never pass for a zero one.
  virtual std::vector<Tensor> apply_differentiable(std::vector<Tensor> grad_outputs,
                                                   const std::vector<bool>& needs_input_grad);

  const std::vector<Edge>& next_edges() const { return next_edges_; }
  void set_next_edges(std::vector<Edge> edges) { next_edges_ = std::move(edges); }

  // The tensors this node keeps for its backward, by name. save() records each storage's
  // version; saved(name) is an Error naming this node and the tensor when it was written in place
  // since (its backward would read values the forward never saw), or freed by an earlier backward.
  void save(const std::vector<std::pair<std::string, Tensor>>& named);
  const Tensor& saved(std::string_view name) const;
  std::vector<std::string> saved_names() const;
  const std::vector<SavedTensor>& saved_tensors() const { return saved_; }
  // Marks saved tensors that are this node's own outputs (same storage, offset and shape as
  // outputs[k]). They are stored without a grad_fn (a node holding its own output with a
  // grad_fn pointing back at it would be a reference cycle); saved_as_output() rebuilds one.
  void mark_saved_outputs(const std::vector<Tensor>& outputs);
  // A saved output as a tensor whose grad_fn is this node, so a create_graph backward that reads
  // it (sigmoid's σ' = y(1 − y)) differentiates through it. Inputs come back as saved.
  Tensor saved_as_output(std::string_view name);
  // Frees the saved tensors after a backward without retain_graph; a second backward through
  // this node is then an Error that says to pass retain_graph.
  void release_saved();
  bool released() const { return released_; }

  // The op's outputs, weakly: their hooks and retain_grad run when gradient reaches them.
  const std::vector<std::weak_ptr<AutogradMeta>>& output_metas() const { return output_metas_; }
  void add_output(const std::shared_ptr<AutogradMeta>& meta, const Shape& shape, DType dtype,
                  Device device);
  const std::vector<Shape>& output_shapes() const { return output_shapes_; }
  const std::vector<DType>& output_dtypes() const { return output_dtypes_; }
  Device output_device() const { return output_device_; }

  // Creation order: a later node never feeds an earlier one, so higher runs first.
  uint64_t sequence_nr() const { return sequence_nr_; }

 protected:
  Node();

 private:
  std::vector<Edge> next_edges_;
  std::vector<SavedTensor> saved_;
  bool released_ = false;
  std::vector<std::weak_ptr<AutogradMeta>> output_metas_;
  std::vector<Shape> output_shapes_;
  std::vector<DType> output_dtypes_;
  Device output_device_;
  uint64_t sequence_nr_;
};

// The sink of a leaf that requires grad: adds incoming gradient into tensor.grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<AutogradMeta> leaf) : leaf_(std::move(leaf)) {}
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(std::vector<Tensor> grad_outputs,
                            const std::vector<bool>& needs_input_grad) override;
  // create_graph: the leaf's .grad() keeps the gradient's graph (summed with camlab::add). That
  // graph usually leads back to this leaf: a reference cycle (as in PyTorch) until zero_grad()
  // drops it, which is why autograd::grad is the better tool for higher-order gradients.
  std::vector<Tensor> apply_differentiable(std::vector<Tensor> grad_outputs,
                                           const std::vector<bool>& needs_input_grad) override;
  const std::shared_ptr<AutogradMeta>& leaf() const { return leaf_; }

 private:
  void store(Tensor grad);  // sets .grad() and runs the post-accumulate hooks

  std::shared_ptr<AutogradMeta> leaf_;
};

// The edge through which gradient reaches `t`: its grad_fn, its leaf accumulator (made on first
// use), or an invalid edge when t does not require grad.
Edge gradient_edge(const Tensor& t);

}  // namespace camlab::autograd
