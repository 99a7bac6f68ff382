// nn::Graph: a Module that runs a DAG of named nodes (an imported ONNX model) over camlab's
// differentiable ops. Every node is a child module, so its output can be hooked exactly as a
// Sequential layer is, and every layer can be named by its ONNX output or by the PyTorch module
// path torch.onnx.export wrote into the node names.
//
//   auto graph = std::make_shared<nn::Graph>(import_onnx("resnet18.onnx"));
//   Tensor logits = (*graph)(images);                      // [N, 3, H, W] -> [N, classes]
//   nn::Module& layer4 = graph->layer("layer4");           // output of the last node in /layer4/
//   layer4.register_forward_hook(...);                     // as for any module
//   graph->default_cam_layer(images);                      // last 4-d activation before pooling
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nn/graph/graph_def.h"
#include "nn/graph/graph_ops.h"
#include "nn/module.h"

namespace camlab::nn {

// One node as a hookable layer: forward(x) runs the node's op with x as its first input and the
// other inputs the Graph handed it; hooks see (first input, first output).
class GraphNode : public Module {
 public:
  GraphNode(const NodeDef& def, const GraphOp& op, int64_t opset);
  // All inputs in; all outputs out, the first one as the forward hooks left it.
  // fused_relu: a Conv node applies the ReLU of the Relu node that alone reads it.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, bool fused_relu = false);
  Tensor forward(const Tensor& first) override;
  std::string type_name() const override { return def_.op_type; }
  std::string extra_repr() const override;
  const NodeDef& def() const { return def_; }

 private:
  const NodeDef& def_;  // owned by the Graph's GraphDef, which outlives its nodes
  const GraphOp& op_;
  int64_t opset_;
  std::vector<Tensor> pending_;  // [inputs] of the call in progress
  std::vector<Tensor> results_;  // [outputs] of the call in progress
  bool fused_relu_ = false;      // of the call in progress
};

class Graph : public Module {
 public:
  // Validates before building anything: every op supported, every input produced before use,
  // every output produced. An Error names the node, op type and opset and lists the supported ops.
  explicit Graph(GraphDef def);

  Tensor forward(const Tensor& input) override;  // one graph input, the first graph output
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);  // all inputs -> all outputs
  std::string type_name() const override { return "Graph"; }
  std::string extra_repr() const override;

  const GraphDef& def() const { return def_; }
  // The weights as the GraphDef names them (after to(): on the model's device).
  const Tensor& weight(const std::string& name) const;
  // The state_dict name a weight is registered under ('.' becomes '_'); "" for an int constant.
  std::string state_key(const std::string& name) const;

  // The child module name of a layer given by child name, ONNX output or node name, or PyTorch
  // module path; an Error prefixed by `who` listing the nearest names otherwise.
  std::string resolve_layer(std::string_view name, std::string_view who) const;
  Module& layer(std::string_view name, std::string_view who = "graph") {
    return find(resolve_layer(name, who));
  }
  // The last 4-d activation before global pooling or flatten (probing with the first image): the
  // layer Grad-CAM explains by default.
  std::string default_cam_layer(const Tensor& images);
  // C of the first input [N, C, H, W] when the model file declares it, else `unknown`.
  int64_t input_channels(int64_t unknown) const;
  // Every PyTorch module path that names a layer ("layer4", "layer4.1", "layer4.1.conv1").
  std::vector<std::string> module_paths() const;
  // Fine-tuning: the trainable weights read by the nodes inside module `path` ("layer1") stop
  // requiring gradients, so backward skips them and the optimizer leaves them as they are.
  // Returns how many were frozen; an Error "no trainable weight inside module ..." listing the
  // nearest module paths when none is inside.
  int64_t freeze(std::string_view path);

 private:
  std::vector<std::string> layer_candidates() const;
  // Whether node n runs fused with the Relu node n + 1 in this call: conv_relu_fusion() is on,
  // node n is a Conv whose output only that Relu reads, and neither node has hooks (a hook must
  // see the convolution's own output, as in Sequential).
  bool fuses_relu(size_t n) const;
  std::vector<Tensor> run_node(size_t n, std::map<std::string, Tensor, std::less<>>& values,
                               bool fused_relu);

  GraphDef def_;
  std::deque<Tensor> weights_;  // registered parameters and buffers (stable addresses)
  std::map<std::string, Tensor*> weight_of_;      // GraphDef weight name -> its tensor
  std::map<std::string, std::string> state_key_;  // GraphDef weight name -> state_dict name
  std::vector<std::shared_ptr<GraphNode>> nodes_;
  std::vector<std::string> node_names_;           // child module name per node
  std::vector<std::vector<std::string>> scopes_;  // module paths per node (raw and without "_1")
  std::vector<bool> relu_reads_only_;  // node n is a Conv read by the Relu node n + 1 alone
  // Per node: the values (graph inputs and node outputs) that node reads last, dropped once it
  // ran, so a forward without grad holds only the live activations (autograd keeps what backward
  // needs through its own references).
  std::vector<std::vector<std::string>> last_read_by_;
};

// What Graph's constructor checks, for importers that must fail before building anything: every op
// supported (else an Unsupported naming the node, op type and opset and listing the supported ops),
// every input produced before use, every graph output produced.
void validate_graph(const GraphDef& def);

// "/layer4/layer4.1/relu_1/Relu" -> "layer4.1.relu_1": the PyTorch module path of a node exported
// by torch.onnx (each scope is either a full dotted path or a child name of the one before); ""
// for a node outside any module.
std::string module_path_of(std::string_view node_name);

}  // namespace camlab::nn
