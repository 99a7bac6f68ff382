#include "nn/sequential.h"

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

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (Module* layer : layers_) y = (*layer)(y);
  return y;
}

Module& Sequential::operator[](size_t index) const {
  CAMLAB_CHECK(index < layers_.size(), "Sequential '{}': index {} out of range for {} layers",
               label(), index, layers_.size());
  return *layers_[index];
}

}  // namespace camlab::nn
