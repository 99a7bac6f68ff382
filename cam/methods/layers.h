// Target layers: finding them by dotted name, the automatic default (the last module with a
// spatial output, by a probing forward with hooks), and capturing their outputs during a forward.
//
//   std::string layer = default_target_layer(model, images, "gradcam");   // e.g. "features.8"
//   auto capture = std::make_shared<LayerCapture>();
//   for (auto& h : capture->attach(model, {layer}, "gradcam")) keep(h);  // until removed
//   { LayerCapture::Armed armed(*capture); logits = model(images); }
//   Tensor a = capture->output(0);                                         // [N, K, h, w]
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nn/hooks.h"
#include "nn/module.h"
#include "nn/named_tensors.h"
#include "tensor/tensor.h"

namespace camlab::cam {

// The module at a dotted name; otherwise an Error, prefixed by `method`, listing the valid names.
// An nn::Graph also takes ONNX output names and PyTorch module paths ("layer4"), and lists the
// nearest names when none matches.
nn::Module& find_layer(nn::Module& model, const std::string& name, std::string_view method);

// One module's call in a forward, in the order the calls finished (children before parents).
struct TraceEntry {
  std::string name;
  nn::Module* module = nullptr;
  Tensor input;
  Tensor output;
};
struct Trace {
  std::vector<TraceEntry> entries;
  Tensor output;  // the model's
};
// Runs `images` through the model under NoGradGuard with a hook on every module but the root.
Trace trace_forward(nn::Module& model, const Tensor& images);

// An nn::Graph: its last 4-d activation before global pooling or flatten. Otherwise: the last
// module to finish with a 4-d output. A container returns its last child's tensor, so
// among modules returning that very tensor the innermost one is named ("features.8", not
// "features"). Probes with the first image.
std::string default_target_layer(nn::Module& model, const Tensor& images, std::string_view method);

// Records the outputs of some layers during the forwards it is armed for (a module called twice in
// one forward keeps its last output).
class LayerCapture {
 public:
  // Registers one forward hook per layer; the caller owns the handles (ScopedForwardHook them).
  // The hooks share this capture's state, so either may die first.
  std::vector<nn::ForwardHookHandle> attach(nn::Module& model,
                                            const std::vector<std::string>& layers,
                                            std::string_view method);

  // While alive, the hooks record. With grad mode on, an output that does not require grad (a
  // frozen model) is replaced by a leaf copy that does, so dy/dA still exists.
  // grad_from_capture: the forward starts under NoGradGuard and the first captured layer turns
  // grad mode on, so only the layers above it record a graph: dy/dA needs nothing below A, and
  // the layers below run the inference path (nothing saved, fused Conv2d + ReLU).
  class Armed {
   public:
    explicit Armed(LayerCapture& capture, bool grad_from_capture = false);
    ~Armed();
    Armed(const Armed&) = delete;
    Armed& operator=(const Armed&) = delete;

   private:
    LayerCapture& capture_;
  };

  size_t size() const { return state_->outputs.size(); }
  // Layer i's output from the last armed forward; an Error naming the layer if it did not run.
  const Tensor& output(size_t i) const;
  // Drops the recorded outputs (and the graph they hold).
  void clear();

 private:
  struct State {
    bool armed = false;
    bool grad_from_capture = false;  // see Armed
    std::string method;
    std::vector<std::string> names;
    std::vector<Tensor> outputs;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// "a, b, c" of at most `limit` names, then "... (n more)" (nn/named_tensors.h).
using nn::join_names;

}  // namespace camlab::cam
