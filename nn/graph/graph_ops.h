// The ONNX operators nn::Graph runs, each a function from a node's input values to its output
// values, written over camlab's differentiable ops (autograd/ops.h) so every node gets backward and
// the CUDA backend where those ops have kernels.
//
//   const GraphOp* op = find_graph_op("Conv");           // nullptr: not supported
//   std::vector<Tensor> y = op->run({node, opset, {x, w, b}, /*training=*/false});
//   graph_op_names();                                    // {"Add", "AveragePool", ...}
//
// Float values are Float32 (Float64 in gradchecks) tensors on the model's device; integer values
// (shapes, indices, axes) are Int64 host tensors, so shape arithmetic runs on the host and is
// folded to plain numbers once the batch size is known.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nn/graph/graph_def.h"
#include "tensor/error.h"
#include "tensor/tensor.h"

namespace camlab::nn {

// A node uses a feature of its op that camlab does not implement (e.g. a 3-d Conv). The ONNX
// conformance test counts these as skipped, not failed.
class Unsupported : public Error {
 public:
  using Error::Error;
};

template <typename... Args>
[[noreturn]] void unsupported(fmt::format_string<Args...> format, Args&&... args) {
  throw Unsupported(fmt::format(format, std::forward<Args>(args)...));
}

struct OpContext {
  const NodeDef& node;
  int64_t opset;
  std::vector<Tensor> inputs;  // undefined where an optional input is omitted
  bool training = false;
  // Conv only: y = max(conv(x) + b, 0) in one pass, the ReLU in the convolution's epilogue (the
  // Graph then skips the Relu node that read it; see Graph::run).
  bool fused_relu = false;

  bool has(size_t i) const { return i < inputs.size() && inputs[i].defined(); }
  // Input i; an Error naming the node when it is missing.
  const Tensor& in(size_t i) const;
  // An integer input (axes, pads, shapes) as host numbers.
  std::vector<int64_t> ints(size_t i) const;
  // A scalar input as a number (Clip's min and max).
  double number(size_t i) const;
  // "Conv node '/conv1/Conv'": the prefix of this node's error messages.
  std::string where() const;
};

struct GraphOp {
  std::string_view name;
  std::vector<Tensor> (*run)(const OpContext& ctx);
};

const GraphOp* find_graph_op(std::string_view op_type);
std::vector<std::string> graph_op_names();

// Each family registers its ops (graph_ops_*.cpp).
std::vector<GraphOp> elementwise_graph_ops();
std::vector<GraphOp> shape_graph_ops();
std::vector<GraphOp> layer_graph_ops();

// Helpers the families share.
// An axis in [-rank, rank) made non-negative; an Error naming the node otherwise.
int64_t normalize_axis(const OpContext& ctx, int64_t axis, int64_t rank);
// Whether a value is an integer (shape) value.
inline bool is_int(const Tensor& t) { return t.dtype() == DType::Int64; }
// Host Int64 tensor from numbers, shape {n} (or {} for a scalar when `scalar`).
Tensor int_tensor(const std::vector<int64_t>& values, bool scalar = false);
// x padded with `value`: before[d] and after[d] elements on each side of dim d (negative crops).
// Composed of cat and narrow, so it is differentiable on every backend.
Tensor pad_constant(const Tensor& x, const std::vector<int64_t>& before,
                    const std::vector<int64_t>& after, double value);
// Runs a data-movement op on an integer value by way of Float64 (exact below 2^53), so the same
// code moves shapes and activations.
template <typename Fn>
Tensor on_values(const Tensor& x, Fn&& fn) {
  if (!is_int(x)) return fn(x);
  return fn(x.to(DType::Float64)).to(DType::Int64);
}

}  // namespace camlab::nn
