// Sequential: children run in order; named "0", "1", ... unless names are given, so state dict
// keys read as PyTorch's ("features.0.weight").
//
//   auto features = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
//       std::make_shared<Conv2d>(1, 8, 3), std::make_shared<ReLU>()});
//   features->add("pool", std::make_shared<MaxPool2d>(2));    // named child
//   Tensor y = (*features)(x);            // each child's hooks fire
//
// The graph form: a child may name the earlier children whose outputs it reads ("input" is the
// Sequential's own input); a child that reads several must be a Merge. Each stored output is
// dropped after its last reader, so a branchy net holds only the activations still to be read.
//
//   net->add("branch1", std::make_shared<Conv2d>(8, 4, 1), {"pool"});
//   net->add("branch3", std::make_shared<Conv2d>(8, 4, 3, Conv2dOptions{.padding = 1}), {"pool"});
//   net->add("cat", std::make_shared<Merge>(MergeKind::Concat), {"branch1", "branch3"});
//
// A Conv2d directly followed by a ReLU runs as one fused op (the ReLU in the convolution's
// epilogue, forward and backward alike) when neither layer has hooks and the ReLU alone reads the
// convolution's output; the values and gradients
// are the unfused ones bit for bit. A hook on either layer turns the fusion off for that pair;
// set_conv_relu_fusion(false), or CAMLAB_FUSE_CONV_RELU=0 in the environment, turns it off
// everywhere (to time what it buys, or to step through the layers one by one).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"

namespace camlab::nn {

class Merge;

// Whether Sequential fuses Conv2d -> ReLU pairs (process-wide; on unless CAMLAB_FUSE_CONV_RELU=0).
bool conv_relu_fusion();
void set_conv_relu_fusion(bool enabled);

class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules);
  explicit Sequential(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);

  // Appends under the next index ("3") or under `name`, reading the previous child's output.
  Sequential& add(std::shared_ptr<Module> module);
  Sequential& add(const std::string& name, std::shared_ptr<Module> module);
  // Appends `module` reading the outputs of the named earlier children ("input": the Sequential's
  // input; empty: the previous child's output). Several inputs need a Merge, which gets them in
  // this order. An unknown or later name is an Error listing the names it may read.
  Sequential& add(const std::string& name, std::shared_ptr<Module> module,
                  const std::vector<std::string>& inputs);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }

  size_t size() const { return layers_.size(); }
  Module& operator[](size_t index) const;
  // The names child `index` reads ("input" for the Sequential's input).
  std::vector<std::string> inputs_of(size_t index) const;

 private:
  // Values are numbered: 0 is the Sequential's input, i + 1 the output of child i.
  struct Step {
    Module* module;             // owned through Module's registry
    Merge* merge;               // module as a Merge, or null
    std::string name;           // as registered
    std::vector<size_t> reads;  // the values it reads, in order
  };

  size_t value_of(const std::string& name, const std::string& reader) const;
  // Whether child i is a Conv2d whose output only child i + 1, a ReLU, reads.
  bool relu_alone_reads(size_t i) const;
  // Child i's arguments; each value is dropped from `values` once its last reader took it.
  std::vector<Tensor> take_reads(size_t i, std::vector<Tensor>& values,
                                 std::vector<int>& unread) const;

  std::vector<Step> layers_;  // the children, in order
  std::vector<int> readers_;  // per value: how many children read it (+1 for the final output)
};

}  // namespace camlab::nn
