// Activation layers: parameter-free wrappers over the differentiable ops, so that they appear in
// a model's module tree (and can carry hooks).
//
//   auto net = std::make_shared<Sequential>();
//   net->add(std::make_shared<Conv2d>(1, 8, 3)).add(std::make_shared<ReLU>());
//   Tensor p = Softmax(1)(logits);
#pragma once

#include "nn/module.h"

namespace camlab::nn {

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ReLU"; }
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;

 private:
  double negative_slope_;
};

class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha_(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ELU"; }
  std::string extra_repr() const override;

 private:
  double alpha_;
};

// Exact GELU, x·Φ(x) (Hendrycks & Gimpel 2016).
class GELU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GELU"; }
};

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sigmoid"; }
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Tanh"; }
};

class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim = 1) : dim_(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Softmax"; }
  std::string extra_repr() const override;

 private:
  int64_t dim_;
};

}  // namespace camlab::nn
