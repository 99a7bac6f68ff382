#include "nn/module.h"

#include <fmt/format.h>

#include <algorithm>

#include "autograd/grad_mode.h"

namespace camlab::nn {

std::string join_path(const std::string& prefix, const std::string& name) {
  if (prefix.empty()) return name;
  return name.empty() ? prefix : prefix + "." + name;
}

Module::Module() : hooks_(std::make_shared<HookRegistry>()) {}

Tensor Module::operator()(const Tensor& input) {
  // Copies of the lists: a hook may remove itself (or another) while they run.
  Tensor x = input;
  for (const auto& [id, hook] : std::vector(hooks_->pre_hooks)) {
    Tensor replaced = hook(*this, x);
    if (replaced.defined()) x = replaced;
  }
  Tensor y = forward(x);
  for (const auto& [id, hook] : std::vector(hooks_->hooks)) {
    Tensor replaced = hook(*this, x, y);
    if (replaced.defined()) y = replaced;
  }
  return y;
}

std::string Module::label() const { return path_.empty() ? type_name() : path_; }

// PyTorch's repr: "Type(extra)" for a leaf; otherwise the extra lines and "(name): child" lines,
// each indented by two spaces, between "Type(" and ")".
std::string Module::str() const {
  const std::string extra = extra_repr();
  if (children_.empty()) return type_name() + "(" + extra + ")";
  std::vector<std::string> lines;
  if (!extra.empty()) lines.push_back(extra);
  for (const auto& child : children_) {
    std::string text = child.module->str();
    std::string indented;
    for (char c : text) {
      indented += c;
      if (c == '\n') indented += "  ";
    }
    lines.push_back("(" + child.name + "): " + indented);
  }
  std::string out = type_name() + "(\n";
  for (const auto& line : lines) out += "  " + line + "\n";
  return out + ")";
}

void Module::check_new_name(const std::string& name, std::string_view kind) const {
  CAMLAB_CHECK(!name.empty() && name.find('.') == std::string::npos,
               "{}: cannot register {} '{}' in {}: names must be non-empty and contain no '.'",
               type_name(), kind, name, label());
  auto taken = [&name](const auto& list) {
    return std::any_of(list.begin(), list.end(), [&name](const auto& e) { return e.name == name; });
  };
  CAMLAB_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_),
               "{}: cannot register {} '{}' in {}: the name is already taken", type_name(), kind,
               name, label());
}

void Module::register_parameter(const std::string& name, Tensor& field, bool requires_grad) {
  check_new_name(name, "parameter");
  if (field.defined()) field.set_requires_grad(requires_grad);
  parameters_.push_back({name, &field});
}

void Module::register_buffer(const std::string& name, Tensor& field) {
  check_new_name(name, "buffer");
  buffers_.push_back({name, &field});
}

void Module::register_child(const std::string& name, std::shared_ptr<Module> module) {
  CAMLAB_CHECK(module != nullptr, "{}: cannot register a null module as '{}'", type_name(), name);
  CAMLAB_CHECK(module.get() != this, "{}: cannot register a module inside itself", type_name());
  check_new_name(name, "module");
  module->set_path(join_path(path_, name));
  children_.push_back({name, std::move(module)});
}

void Module::set_path(const std::string& path) {
  path_ = path;
  for (const auto& child : children_) child.module->set_path(join_path(path_, child.name));
}

void Module::train(bool training) {
  training_ = training;
  for (const auto& child : children_) child.module->train(training);
}

void Module::to(Device device) {
  autograd::NoGradGuard no_grad;  // moving a parameter is no step of any graph
  for (auto& slot : parameters_) {
    Tensor& p = *slot.field;
    if (!p.defined() || p.device() == device) continue;
    const bool requires_grad = p.requires_grad();
    p = p.to(device);
    p.set_requires_grad(requires_grad);
  }
  for (auto& slot : buffers_) {
    if (slot.field->defined()) *slot.field = slot.field->to(device);
  }
  for (const auto& child : children_) child.module->to(device);
}

void Module::to(DType dtype) {
  CAMLAB_CHECK(is_floating(dtype), "Module::to: {} is not a floating dtype", dtype_name(dtype));
  autograd::NoGradGuard no_grad;  // converting a parameter is no step of any graph
  for (auto& slot : parameters_) {
    Tensor& p = *slot.field;
    if (!p.defined() || !is_floating(p.dtype()) || p.dtype() == dtype) continue;
    const bool requires_grad = p.requires_grad();
    p = p.to(dtype);
    p.set_requires_grad(requires_grad);
  }
  for (auto& slot : buffers_) {
    Tensor& b = *slot.field;
    if (b.defined() && is_floating(b.dtype())) b = b.to(dtype);
  }
  for (const auto& child : children_) child.module->to(dtype);
}

template <typename Fn>
void Module::visit_slots(bool buffers, const std::string& prefix, Fn&& fn) const {
  for (const auto& slot : buffers ? buffers_ : parameters_) {
    if (slot.field->defined()) fn(join_path(prefix, slot.name), *slot.field);
  }
  for (const auto& child : children_) {
    child.module->visit_slots(buffers, join_path(prefix, child.name), fn);
  }
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  visit_slots(false, "", [&](const std::string&, Tensor& p) { out.push_back(p); });
  return out;
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  visit_slots(false, "", [&](const std::string& name, Tensor& p) { out.insert(name, p); });
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  visit_slots(true, "", [&](const std::string& name, Tensor& b) { out.insert(name, b); });
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (const auto& child : children_) {
    for (auto& [name, module] : child.module->named_modules()) {
      out.emplace_back(join_path(child.name, name), module);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  for (const auto& child : children_) out.emplace_back(child.name, child.module);
  return out;
}

Module& Module::find(std::string_view dotted_name) {
  Module* current = this;
  std::string_view rest = dotted_name;
  while (!rest.empty() && current != nullptr) {
    const size_t dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    Module* next = nullptr;
    for (const auto& child : current->children_) {
      if (child.name == part) next = child.module.get();
    }
    current = next;
  }
  if (current == nullptr) {
    std::vector<std::string> names;
    for (const auto& [name, module] : named_modules()) {
      if (!name.empty()) names.push_back(name);
    }
    fail("find: no module '{}' in {}; valid names: {}", dotted_name, label(),
         join_names(names, 200));
  }
  return *current;
}

NamedTensors Module::state_dict() const {
  // PyTorch's order: each module's parameters, then its buffers, then its children.
  NamedTensors out;
  struct Walker {
    NamedTensors& out;
    void walk(const Module& m, const std::string& prefix) {
      for (const auto& slot : m.parameters_) {
        if (slot.field->defined()) out.insert(join_path(prefix, slot.name), *slot.field);
      }
      for (const auto& slot : m.buffers_) {
        if (slot.field->defined()) out.insert(join_path(prefix, slot.name), *slot.field);
      }
      for (const auto& child : m.children_) walk(*child.module, join_path(prefix, child.name));
    }
  };
  Walker{out}.walk(*this, "");
  return out;
}

LoadResult Module::load_state_dict(const NamedTensors& state, bool strict) {
  const NamedTensors own = state_dict();
  LoadResult result;
  for (const auto& [name, tensor] : own) {
    const Tensor* source = state.find(name);
    if (source == nullptr) {
      result.missing.push_back(name);
      continue;
    }
    CAMLAB_CHECK(source->defined(), "load_state_dict: '{}' is undefined in the state dict", name);
    CAMLAB_CHECK(source->shape() == tensor.shape(),
                 "load_state_dict: shape mismatch for '{}': the model has {} but the state dict "
                 "has {}",
                 name, shape_str(tensor.shape()), shape_str(source->shape()));
  }
  for (const auto& [name, tensor] : state) {
    if (!own.contains(name)) result.unexpected.push_back(name);
  }
  if (strict && (!result.missing.empty() || !result.unexpected.empty())) {
    fail(
        "load_state_dict: missing keys: {}; unexpected keys: {} (pass strict = false to skip them)",
        join_names(result.missing), join_names(result.unexpected));
  }
  autograd::NoGradGuard no_grad;
  for (const auto& [name, tensor] : own) {
    const Tensor* source = state.find(name);
    if (source == nullptr) continue;
    Tensor target = tensor;  // a handle: copy_ writes into the model's storage
    target.copy_(source->to(target.device()));
  }
  return result;
}

void Module::zero_grad() {
  for (Tensor& p : parameters()) p.zero_grad();
}

ForwardHookHandle Module::add_pre_hook(ForwardPreHook hook) {
  const uint64_t id = hooks_->next_id++;
  hooks_->pre_hooks.emplace_back(id, std::move(hook));
  return ForwardHookHandle(hooks_, id);
}

ForwardHookHandle Module::add_hook(ForwardHook hook) {
  const uint64_t id = hooks_->next_id++;
  hooks_->hooks.emplace_back(id, std::move(hook));
  return ForwardHookHandle(hooks_, id);
}

}  // namespace camlab::nn
