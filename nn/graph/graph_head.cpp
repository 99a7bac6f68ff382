#include "nn/graph/graph_head.h"

#include <algorithm>

#include "nn/init.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::nn {
namespace {

const NodeDef& output_producer(const GraphDef& def) {
  CAMLAB_CHECK(!def.outputs.empty(), "new head: the graph has no output");
  for (const NodeDef& node : def.nodes) {
    if (std::find(node.outputs.begin(), node.outputs.end(), def.outputs[0]) != node.outputs.end())
      return node;
  }
  fail("new head: graph output '{}' is produced by no node", def.outputs[0]);
}

NamedWeight& initializer(GraphDef& def, const std::string& name, const NodeDef& node) {
  for (NamedWeight& w : def.weights) {
    if (w.name == name) return w;
  }
  fail("new head: input '{}' of {} is computed, not a weight the head could replace", name,
       node.label());
}

}  // namespace

GraphDef with_new_head(GraphDef def, int64_t classes, Generator& gen) {
  CAMLAB_CHECK(classes >= 1, "new head: the class count must be at least 1, got {}", classes);
  const NodeDef& gemm = output_producer(def);
  CAMLAB_CHECK(gemm.op_type == "Gemm",
               "new head: the output comes from {} ({}); a new head needs a final Gemm (a "
               "PyTorch nn.Linear)",
               gemm.label(), gemm.op_type);
  CAMLAB_CHECK(gemm.inputs.size() >= 2, "new head: {} has no weight input", gemm.label());
  // Gemm: Y = A · op(B) + C, op(B) = Bᵀ when transB: B is [K, F] (nn.Linear's) or else [F, K].
  const bool transposed = gemm.integer("transB", 0) != 0;
  NamedWeight& weight = initializer(def, gemm.inputs[1], gemm);
  CAMLAB_CHECK(weight.value.dim() == 2, "new head: weight '{}' of {} is {}-d, expected 2-d",
               weight.name, gemm.label(), weight.value.dim());
  const int64_t features = weight.value.shape()[transposed ? 1 : 0];
  const Shape kf{classes, features};  // nn.Linear's [out, in]
  Tensor fresh = ops::zeros(kf, weight.value.dtype());
  Tensor bias = ops::zeros({classes}, weight.value.dtype());
  init::reset_conv_or_linear(fresh, bias, gen);
  weight.value = transposed ? fresh : fresh.transpose(0, 1).contiguous();  // [K, F] or [F, K]
  if (gemm.inputs.size() >= 3 && !gemm.inputs[2].empty()) {
    initializer(def, gemm.inputs[2], gemm).value = bias;  // [K]
  }
  return def;
}

}  // namespace camlab::nn
