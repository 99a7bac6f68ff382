#include "nn/sequential.h"

#include <atomic>
#include <cstdlib>
#include <string_view>

#include "nn/activation.h"
#include "nn/conv2d.h"

namespace camlab::nn {

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& modules) {
  for (const auto& module : modules) add(module);
}

Sequential::Sequential(
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  for (const auto& [name, module] : modules) add(name, module);
}

Sequential& Sequential::add(std::shared_ptr<Module> module) {
  return add(std::to_string(layers_.size()), std::move(module));
}

Sequential& Sequential::add(const std::string& name, std::shared_ptr<Module> module) {
  Module* raw = module.get();
  register_module(name, std::move(module));
  layers_.push_back(raw);
  return *this;
}

namespace {

std::atomic<bool>& fusion_switch() {
  static std::atomic<bool> enabled = [] {
    const char* env = std::getenv("CAMLAB_FUSE_CONV_RELU");
    return env == nullptr || std::string_view(env) != "0";
  }();
  return enabled;
}

// The Conv2d of a Conv2d -> ReLU pair that may run fused (conv + bias + ReLU in one pass), or
// null. Not when either layer has hooks: a hook must see the convolution's own output or the
// ReLU's input, and explanation methods work through hooks (a CAM's layer capture, the ReLU
// rules of guided backpropagation).
Conv2d* fusable_conv_relu(Module* layer, Module* next) {
  if (!conv_relu_fusion()) return nullptr;
  auto* conv = dynamic_cast<Conv2d*>(layer);
  if (conv == nullptr || dynamic_cast<ReLU*>(next) == nullptr) return nullptr;
  return conv->has_hooks() || next->has_hooks() ? nullptr : conv;
}

}  // namespace

bool conv_relu_fusion() { return fusion_switch().load(std::memory_order_relaxed); }
void set_conv_relu_fusion(bool enabled) {
  fusion_switch().store(enabled, std::memory_order_relaxed);
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    Conv2d* fused =
        i + 1 < layers_.size() ? fusable_conv_relu(layers_[i], layers_[i + 1]) : nullptr;
    if (fused != nullptr) {
      y = fused->forward_relu(y);  // max(conv(y), 0): the ReLU layer is consumed with it
      ++i;
    } else {
      y = (*layers_[i])(y);
    }
  }
  return y;
}

Module& Sequential::operator[](size_t index) const {
  CAMLAB_CHECK(index < layers_.size(), "Sequential '{}': index {} out of range for {} layers",
               label(), index, layers_.size());
  return *layers_[index];
}

}  // namespace camlab::nn
