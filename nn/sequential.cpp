#include "nn/sequential.h"

#include <fmt/format.h>

#include <atomic>
#include <cstdlib>
#include <string_view>

#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/merge.h"
#include "tensor/suggest.h"

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
  return add(name, std::move(module), {});
}

Sequential& Sequential::add(const std::string& name, std::shared_ptr<Module> module,
                            const std::vector<std::string>& inputs) {
  std::vector<size_t> reads;
  for (const std::string& input : inputs) reads.push_back(value_of(input, name));
  if (reads.empty()) reads.push_back(layers_.size());  // the previous child's output
  auto* merge = dynamic_cast<Merge*>(module.get());
  CAMLAB_CHECK(reads.size() == 1 || merge != nullptr,
               "Sequential '{}': child '{}' ({}) reads {} inputs but only a Merge takes several",
               label(), name, module ? module->type_name() : "null", reads.size());
  CAMLAB_CHECK(merge == nullptr || reads.size() >= 2,
               "Sequential '{}': merge '{}' needs at least 2 inputs, got {}", label(), name,
               reads.size());
  Module* raw = module.get();
  register_module(name, std::move(module));
  readers_.resize(layers_.size() + 2, 0);  // this child's value, not yet read
  for (size_t value : reads) ++readers_[value];
  layers_.push_back({raw, merge, name, std::move(reads)});
  return *this;
}

size_t Sequential::value_of(const std::string& name, const std::string& reader) const {
  if (name == "input") return 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].name == name) return i + 1;
  }
  std::vector<std::string> valid = {"input"};
  for (const Step& step : layers_) valid.push_back(step.name);
  const std::string guess = nearest(name, valid);
  fail("Sequential '{}': child '{}' reads '{}', which is not an earlier child — {}", label(),
       reader, name,
       guess.empty() ? "it may read " + join_quoted(valid, "'")
                     : fmt::format("did you mean '{}'?", guess));
}

std::vector<std::string> Sequential::inputs_of(size_t index) const {
  CAMLAB_CHECK(index < layers_.size(), "Sequential '{}': index {} out of range for {} layers",
               label(), index, layers_.size());
  std::vector<std::string> names;
  for (size_t value : layers_[index].reads) {
    names.push_back(value == 0 ? "input" : layers_[value - 1].name);
  }
  return names;
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

bool Sequential::relu_alone_reads(size_t i) const {
  if (i + 1 >= layers_.size()) return false;
  const std::vector<size_t>& next_reads = layers_[i + 1].reads;
  // Value i + 1 is child i's output: the ReLU reads only it, and nothing else reads it.
  return next_reads.size() == 1 && next_reads[0] == i + 1 && readers_[i + 1] == 1;
}

std::vector<Tensor> Sequential::take_reads(size_t i, std::vector<Tensor>& values,
                                           std::vector<int>& unread) const {
  std::vector<Tensor> args;
  for (size_t value : layers_[i].reads) args.push_back(values[value]);
  for (size_t value : layers_[i].reads) {
    if (--unread[value] == 0) values[value] = Tensor();  // its last reader: free it
  }
  return args;
}

Tensor Sequential::forward(const Tensor& x) {
  if (layers_.empty()) return x;
  std::vector<Tensor> values(layers_.size() + 1);  // 0: x; i + 1: child i's output
  std::vector<int> unread = readers_;
  ++unread[layers_.size()];  // the last child's output is returned
  values[0] = x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    std::vector<Tensor> args = take_reads(i, values, unread);
    Conv2d* fused =
        relu_alone_reads(i) ? fusable_conv_relu(layers_[i].module, layers_[i + 1].module) : nullptr;
    if (fused != nullptr) {
      // max(conv(x), 0): the ReLU layer is consumed with it; the pair's output is the ReLU's.
      values[i + 2] = fused->forward_relu(args[0]);
      ++i;
    } else if (layers_[i].merge != nullptr) {
      values[i + 1] = (*layers_[i].merge)(args);
    } else {
      values[i + 1] = (*layers_[i].module)(args[0]);
    }
  }
  return values[layers_.size()];
}

Module& Sequential::operator[](size_t index) const {
  CAMLAB_CHECK(index < layers_.size(), "Sequential '{}': index {} out of range for {} layers",
               label(), index, layers_.size());
  return *layers_[index].module;
}

}  // namespace camlab::nn
