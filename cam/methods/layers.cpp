#include "cam/methods/layers.h"

#include <fmt/format.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/graph/graph.h"
#include "tensor/error.h"

namespace camlab::cam {

nn::Module& find_layer(nn::Module& model, const std::string& name, std::string_view method) {
  // A graph also answers to ONNX output names and PyTorch module paths ("layer4").
  if (auto* graph = dynamic_cast<nn::Graph*>(&model)) return graph->layer(name, method);
  std::vector<std::string> valid;
  nn::Module* found = nullptr;
  for (const auto& [path, module] : model.named_modules()) {
    if (path.empty()) continue;  // the root is the whole model, not a layer
    valid.push_back(path);
    if (path == name) found = module;
  }
  CAMLAB_CHECK(found != nullptr, "{}: no layer '{}' in the model; valid layers: {}", method, name,
               join_names(valid));
  return *found;
}

Trace trace_forward(nn::Module& model, const Tensor& images) {
  Trace trace;
  std::vector<nn::ScopedForwardHook> hooks;
  for (const auto& [path, module] : model.named_modules()) {
    if (path.empty()) continue;
    hooks.emplace_back(module->register_forward_hook(
        [&trace, name = path](nn::Module& m, const Tensor& input, const Tensor& output) {
          trace.entries.push_back({name, &m, input, output});
        }));
  }
  autograd::NoGradGuard no_grad;
  trace.output = model(images);
  return trace;
}

std::string default_target_layer(nn::Module& model, const Tensor& images, std::string_view method) {
  if (auto* graph = dynamic_cast<nn::Graph*>(&model)) {
    try {
      return graph->default_cam_layer(images);
    } catch (const Error& e) {
      fail("{}: {}", method, e.what());
    }
  }
  std::vector<TraceEntry> trace;
  try {
    trace = trace_forward(model, images.narrow(0, 0, 1)).entries;  // one image shows the layers
  } catch (const Error& e) {
    fail("{}: the model cannot take images of shape {}: {}", method, shape_str(images.shape()),
         e.what());
  }
  for (size_t i = trace.size(); i-- > 0;) {
    if (trace[i].output.dim() != 4) continue;
    // Children finish before their parents: the earliest entry with this very tensor is innermost.
    size_t innermost = i;
    for (size_t j = 0; j < i; ++j) {
      if (trace[j].output.same(trace[i].output)) {
        innermost = j;
        break;
      }
    }
    return trace[innermost].name;
  }
  std::vector<std::string> names;
  for (const TraceEntry& entry : trace) {
    names.push_back(fmt::format("{} {}", entry.name, shape_str(entry.output.shape())));
  }
  fail(
      "{}: no layer of the model has a 4-d [N, C, h, w] output to explain; name one in the "
      "options' layers (layers run: {})",
      method, join_names(names));
}

std::vector<nn::ForwardHookHandle> LayerCapture::attach(nn::Module& model,
                                                        const std::vector<std::string>& layers,
                                                        std::string_view method) {
  std::vector<nn::ForwardHookHandle> handles;
  state_->method = method;
  for (const std::string& layer : layers) {
    nn::Module& module = find_layer(model, layer, method);
    const size_t index = state_->names.size();
    state_->names.push_back(layer);
    state_->outputs.emplace_back();
    handles.push_back(module.register_forward_hook(
        [state = state_, index](nn::Module&, const Tensor&, const Tensor& output) -> Tensor {
          if (!state->armed) return Tensor();
          if (state->grad_from_capture) autograd::set_grad_enabled(true);  // record from here on
          Tensor recorded = output;
          if (autograd::grad_enabled() && !output.requires_grad()) {
            recorded = camlab::detach(output);
            recorded.set_requires_grad(true);
          }
          state->outputs[index] = recorded;
          return recorded.same(output) ? Tensor() : recorded;
        }));
  }
  return handles;
}

LayerCapture::Armed::Armed(LayerCapture& capture, bool grad_from_capture) : capture_(capture) {
  capture_.clear();
  capture_.state_->armed = true;
  capture_.state_->grad_from_capture = grad_from_capture;
}

LayerCapture::Armed::~Armed() {
  capture_.state_->armed = false;
  capture_.state_->grad_from_capture = false;
}

const Tensor& LayerCapture::output(size_t i) const {
  CAMLAB_CHECK(i < state_->outputs.size(), "LayerCapture: no layer {} (capturing {})", i,
               state_->outputs.size());
  CAMLAB_CHECK(state_->outputs[i].defined(),
               "{}: layer '{}' did not run in the forward pass, so it has no activation to explain",
               state_->method, state_->names[i]);
  return state_->outputs[i];
}

void LayerCapture::clear() {
  for (Tensor& output : state_->outputs) output = Tensor();
}

}  // namespace camlab::cam
