// Optimizer: the parameters, a learning rate, per-parameter state buffers and their export for
// checkpoints. Updates write into the parameters' storage (under NoGradGuard): the parameter
// tensors never change identity, so hooks and state keyed by them stay valid.
//
//   SGD sgd(model->parameters(), {.lr = 0.05, .momentum = 0.9, .nesterov = true});
//   model->zero_grad();  camlab::backward(loss);  sgd.step();
//   NamedTensors saved = sgd.state_dict();   // "lr", "steps", "0.momentum_buffer", ...
//   sgd.load_state_dict(saved);              // resume
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nn/named_tensors.h"
#include "tensor/tensor.h"

namespace camlab::nn {

class Optimizer {
 public:
  Optimizer(std::vector<Tensor> params, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient; parameters without one are skipped.
  virtual void step() = 0;
  virtual std::string type_name() const = 0;
  // The per-parameter state buffers this optimizer keeps ("momentum_buffer", ...).
  virtual std::vector<std::string> state_names() const = 0;

  void zero_grad();
  double lr() const { return lr_; }
  void set_lr(double lr);
  int64_t steps() const { return steps_; }  // step() calls so far
  const std::vector<Tensor>& params() const { return params_; }

  // "lr" (float64 scalar), "steps" (int64 scalar) and "<i>.<state name>" for parameter i, in the
  // order the parameters were given.
  NamedTensors state_dict() const;
  // Validates every key and shape (an Error names the key and both shapes) before changing
  // anything.
  void load_state_dict(const NamedTensors& state);

 protected:
  // The state buffer `name` of parameter i; undefined until first set.
  Tensor& state(size_t i, const std::string& name) { return state_[i][name]; }

  std::vector<Tensor> params_;
  double lr_;
  int64_t steps_ = 0;

 private:
  std::vector<std::map<std::string, Tensor>> state_;  // one map per parameter
};

// Scales all gradients together so that their joint norm is at most max_norm (Pascanu et al.
// 2013), in place; returns the norm before clipping. norm_type: 2, 1 or infinity.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);

}  // namespace camlab::nn
