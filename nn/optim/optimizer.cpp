#include "nn/optim/optimizer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace camlab::nn {

Optimizer::Optimizer(std::vector<Tensor> params, double lr)
    : params_(std::move(params)), lr_(lr), state_(params_.size()) {
  CAMLAB_CHECK(lr >= 0, "optimizer: learning rate must be non-negative, got {}", lr);
  for (size_t i = 0; i < params_.size(); ++i) {
    CAMLAB_CHECK(params_[i].defined() && is_floating(params_[i].dtype()),
                 "optimizer: parameter {} must be a defined floating tensor", i);
  }
}

void Optimizer::zero_grad() {
  for (Tensor& p : params_) p.zero_grad();
}

void Optimizer::set_lr(double lr) {
  CAMLAB_CHECK(lr >= 0, "{}: learning rate must be non-negative, got {}", type_name(), lr);
  lr_ = lr;
}

NamedTensors Optimizer::state_dict() const {
  NamedTensors out;
  out.insert("lr", ops::scalar(lr_, DType::Float64));
  out.insert("steps", ops::scalar(static_cast<double>(steps_), DType::Int64));
  for (size_t i = 0; i < state_.size(); ++i) {
    for (const auto& [name, tensor] : state_[i]) {
      if (tensor.defined()) out.insert(std::to_string(i) + "." + name, tensor);
    }
  }
  return out;
}

void Optimizer::load_state_dict(const NamedTensors& state) {
  const std::vector<std::string> names = state_names();
  std::vector<std::map<std::string, Tensor>> loaded(params_.size());
  for (const auto& [key, tensor] : state) {
    if (key == "lr" || key == "steps") continue;
    const size_t dot = key.find('.');
    size_t index = 0;
    const char* first = key.data();
    const char* last = key.data() + (dot == std::string::npos ? 0 : dot);
    const bool numeric =
        dot != std::string::npos && dot > 0 && std::from_chars(first, last, index).ptr == last;
    const std::string name = numeric ? key.substr(dot + 1) : "";
    CAMLAB_CHECK(numeric && std::find(names.begin(), names.end(), name) != names.end(),
                 "{}.load_state_dict: unexpected key '{}'; expected lr, steps and "
                 "<parameter index>.<one of: {}>",
                 type_name(), key, join_names(names));
    CAMLAB_CHECK(index < params_.size(),
                 "{}.load_state_dict: key '{}' is for parameter {} but the optimizer has {}",
                 type_name(), key, index, params_.size());
    const Tensor& param = params_[index];
    // Per-parameter counters are scalars; every other buffer is shaped like its parameter.
    const bool scalar = name == "step";
    const Shape want = scalar ? Shape{} : param.shape();
    CAMLAB_CHECK(tensor.shape() == want,
                 "{}.load_state_dict: shape mismatch for '{}': the optimizer needs {} but the "
                 "state has {}",
                 type_name(), key, shape_str(want), shape_str(tensor.shape()));
    loaded[index][name] = scalar ? tensor.to(Device::cpu()).to(DType::Int64).clone()
                                 : tensor.to(param.device()).to(param.dtype()).clone();
  }
  const Tensor* lr = state.find("lr");
  const Tensor* steps = state.find("steps");
  CAMLAB_CHECK(lr != nullptr && steps != nullptr,
               "{}.load_state_dict: the state lacks 'lr' or 'steps' (present: {})", type_name(),
               join_names(state.keys()));
  set_lr(lr->to(Device::cpu()).item());
  steps_ = static_cast<int64_t>(steps->to(Device::cpu()).item());
  state_ = std::move(loaded);
}

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  CAMLAB_CHECK(max_norm >= 0, "clip_grad_norm_: max_norm must be non-negative, got {}", max_norm);
  CAMLAB_CHECK(norm_type == 1 || norm_type == 2 || std::isinf(norm_type),
               "clip_grad_norm_: norm_type must be 1, 2 or infinity, got {}", norm_type);
  autograd::NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : params) {
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  }
  // ‖g‖ over all gradients as one vector: Σ‖gᵢ‖ᵖ then the p-th root (max for infinity).
  double total = 0;
  for (const Tensor& g : grads) {
    if (std::isinf(norm_type)) {
      total = std::max(total, ops::amax(ops::abs(g)).item());
    } else {
      total += std::pow(ops::norm(g, norm_type).item(), norm_type);
    }
  }
  if (!std::isinf(norm_type)) total = std::pow(total, 1.0 / norm_type);
  // ε as PyTorch, so a zero gradient never divides by zero.
  const double coefficient = max_norm / (total + 1e-6);
  if (coefficient < 1) {
    for (Tensor& g : grads) g.copy_(ops::mul(g, coefficient));
  }
  return total;
}

}  // namespace camlab::nn
