#include "nn/optim/adam.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace camlab::nn {

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::move(params), options, false) {}

Adam::Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled_weight_decay)
    : Optimizer(std::move(params), options.lr),
      options_(options),
      decoupled_(decoupled_weight_decay) {
  const auto [beta1, beta2] = options.betas;
  CAMLAB_CHECK(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1,
               "{}: betas ({}, {}) must be within [0, 1)", type_name(), beta1, beta2);
  CAMLAB_CHECK(options.eps >= 0 && options.weight_decay >= 0,
               "{}: eps {} and weight_decay {} must be non-negative", type_name(), options.eps,
               options.weight_decay);
}

std::vector<std::string> Adam::state_names() const {
  if (options_.amsgrad) return {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  return {"step", "exp_avg", "exp_avg_sq"};
}

void Adam::step() {
  autograd::NoGradGuard no_grad;
  const auto [beta1, beta2] = options_.betas;
  const double decay = options_.weight_decay;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor param = params_[i];
    Tensor grad = param.grad();  // like param
    if (!grad.defined()) continue;
    Tensor& step = state(i, "step");  // int64 scalar on the host: t
    Tensor& m = state(i, "exp_avg");
    Tensor& v = state(i, "exp_avg_sq");
    if (!step.defined()) {
      step = ops::zeros({}, DType::Int64);
      m = ops::zeros_like(param);
      v = ops::zeros_like(param);
    }
    const int64_t t = ++step.data<int64_t>()[0];

    if (decay != 0) {
      if (decoupled_) {
        param.copy_(ops::mul(param, 1 - lr_ * decay));
      } else {
        grad = ops::add(grad, ops::mul(param, decay));
      }
    }
    m.copy_(ops::add(ops::mul(m, beta1), ops::mul(grad, 1 - beta1)));
    v.copy_(ops::add(ops::mul(v, beta2), ops::mul(ops::mul(grad, grad), 1 - beta2)));
    Tensor second = v;
    if (options_.amsgrad) {
      Tensor& v_max = state(i, "max_exp_avg_sq");
      if (!v_max.defined()) v_max = ops::zeros_like(param);
      v_max.copy_(ops::maximum(v_max, v));
      second = v_max;
    }
    const double correction1 = 1 - std::pow(beta1, static_cast<double>(t));
    const double correction2 = 1 - std::pow(beta2, static_cast<double>(t));
    const double step_size = lr_ / correction1;
    // denom = √v / √(1 − β₂ᵗ) + ε
    Tensor denom = ops::add(ops::mul(ops::sqrt(second), 1 / std::sqrt(correction2)), options_.eps);
    param.copy_(ops::sub(param, ops::mul(ops::div(m, denom), step_size)));
  }
  ++steps_;
}

}  // namespace camlab::nn
