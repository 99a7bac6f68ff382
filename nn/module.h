// Module: a layer or a network — named parameters, buffers and child modules in registration
// order, dotted names as PyTorch's state_dict uses them, train/eval mode and forward hooks.
//
//   auto net = std::make_shared<Sequential>();
//   net->add("conv1", std::make_shared<Conv2d>(1, 8, 3, Conv2dOptions{.padding = 1}));
//   Tensor y = (*net)(x);                          // pre-hooks, forward, hooks
//   for (const auto& [name, p] : net->named_parameters()) ...   // "conv1.weight", "conv1.bias"
//   net->find("conv1").register_forward_hook(...); // errors list the valid names
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "nn/hooks.h"
#include "nn/named_tensors.h"
#include "tensor/error.h"
#include "tensor/tensor.h"

namespace camlab::nn {

// Keys that load_state_dict(strict = false) skipped.
struct LoadResult {
  std::vector<std::string> missing;     // in the model, not in the state dict
  std::vector<std::string> unexpected;  // in the state dict, not in the model
};

class Module {
 public:
  Module();
  virtual ~Module() = default;
  // Parameters are registered by address (register_parameter), so a Module never moves.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Forward pre-hooks, then forward(), then forward hooks. Deliberately not virtual.
  Tensor operator()(const Tensor& input);
  virtual Tensor forward(const Tensor& input) = 0;

  // "Conv2d"; extra_repr() gives the arguments shown by str(), as PyTorch's repr.
  virtual std::string type_name() const = 0;
  virtual std::string extra_repr() const { return {}; }
  std::string str() const;

  // The dotted path from the root module ("features.0"); empty for a root.
  const std::string& name() const { return path_; }
  // name(), or type_name() for a root: what error messages call this layer.
  std::string label() const;

  // ---- registration (call from constructors) ----
  // `field` is a member of the subclass; an undefined field (bias = None) is skipped everywhere.
  void register_parameter(const std::string& name, Tensor& field, bool requires_grad = true);
  void register_buffer(const std::string& name, Tensor& field);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    register_child(name, module);
    return module;
  }

  // ---- mode and placement (recursive) ----
  void train(bool training = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Moves parameters (as new leaves keeping requires_grad; gradients dropped) and buffers. Do it
  // before building an optimizer: optimizers hold the parameter tensors.
  void to(Device device);
  // Converts floating parameters and buffers (e.g. to Float64 for gradcheck).
  void to(DType dtype);

  // ---- traversal (registration order; own entries before children's, as PyTorch) ----
  std::vector<Tensor> parameters() const;
  NamedTensors named_parameters() const;
  NamedTensors named_buffers() const;
  // Every module under this one, itself first as "".
  std::vector<std::pair<std::string, Module*>> named_modules();
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  // The submodule at a dotted path relative to this one ("layer1.0.conv1"); an Error listing the
  // valid names when there is none.
  Module& find(std::string_view dotted_name);
  template <typename M>
  M& find_as(std::string_view dotted_name) {
    Module& module = find(dotted_name);
    auto* typed = dynamic_cast<M*>(&module);
    CAMLAB_CHECK(typed != nullptr, "find: module '{}' is a {}, not the type asked for", dotted_name,
                 module.type_name());
    return *typed;
  }

  // ---- state ----
  // Parameters and buffers by dotted name, sharing storage with the model (PyTorch layouts).
  NamedTensors state_dict() const;
  // Copies values in place. Shape mismatches are always an Error naming the key and both shapes;
  // with strict, so are missing or unexpected keys. Nothing is copied when it throws.
  LoadResult load_state_dict(const NamedTensors& state, bool strict = true);
  void zero_grad();

  // ---- forward hooks ----
  // A hook may return a Tensor (a replacement; undefined keeps the value) or nothing.
  template <typename F>
  ForwardHookHandle register_forward_pre_hook(F&& hook);
  template <typename F>
  ForwardHookHandle register_forward_hook(F&& hook);
  // Whether any forward pre-hook or forward hook is registered on this module (not its children).
  bool has_hooks() const { return !hooks_->pre_hooks.empty() || !hooks_->hooks.empty(); }

 private:
  struct Slot {
    std::string name;
    Tensor* field;
  };
  struct Child {
    std::string name;
    std::shared_ptr<Module> module;
  };

  void register_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, std::string_view kind) const;
  void set_path(const std::string& path);
  ForwardHookHandle add_pre_hook(ForwardPreHook hook);
  ForwardHookHandle add_hook(ForwardHook hook);
  // Visits (dotted name, slot) of parameters (buffers: false) in state_dict order.
  template <typename Fn>
  void visit_slots(bool buffers, const std::string& prefix, Fn&& fn) const;

  std::string path_;
  bool training_ = true;
  std::vector<Slot> parameters_;
  std::vector<Slot> buffers_;
  std::vector<Child> children_;
  std::shared_ptr<HookRegistry> hooks_;
};

template <typename F>
ForwardHookHandle Module::register_forward_pre_hook(F&& hook) {
  using Result = std::invoke_result_t<F&, Module&, const Tensor&>;
  if constexpr (std::is_void_v<Result>) {
    return add_pre_hook([fn = std::forward<F>(hook)](Module& m, const Tensor& input) mutable {
      fn(m, input);
      return Tensor();
    });
  } else {
    return add_pre_hook(ForwardPreHook(std::forward<F>(hook)));
  }
}

template <typename F>
ForwardHookHandle Module::register_forward_hook(F&& hook) {
  using Result = std::invoke_result_t<F&, Module&, const Tensor&, const Tensor&>;
  if constexpr (std::is_void_v<Result>) {
    return add_hook(
        [fn = std::forward<F>(hook)](Module& m, const Tensor& input, const Tensor& output) mutable {
          fn(m, input, output);
          return Tensor();
        });
  } else {
    return add_hook(ForwardHook(std::forward<F>(hook)));
  }
}

// "a.b" from prefix "a" and name "b"; the other one when either is empty.
std::string join_path(const std::string& prefix, const std::string& name);

}  // namespace camlab::nn
