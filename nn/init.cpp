#include "nn/init.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace camlab::nn::init {
namespace {

// Writes `values` into t's storage: the tensor handle (and any hook or optimizer state that refers
// to it) stays the same.
void assign(const Tensor& t, const Tensor& values) {
  autograd::NoGradGuard no_grad;
  Tensor target = t;
  target.copy_(values);
}

void check_defined(const Tensor& t, const char* op) {
  CAMLAB_CHECK(t.defined(), "{}: the tensor is undefined", op);
  CAMLAB_CHECK(is_floating(t.dtype()), "{}: expected a floating tensor, got {}", op,
               dtype_name(t.dtype()));
}

int64_t chosen_fan(const Tensor& t, FanMode mode) {
  auto [fan_in, fan_out] = fan_in_and_fan_out(t);
  return mode == FanMode::FanIn ? fan_in : fan_out;
}

}  // namespace

double calculate_gain(Nonlinearity nonlinearity, double negative_slope) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Conv:
    case Nonlinearity::Sigmoid: return 1.0;
    case Nonlinearity::Tanh: return 5.0 / 3.0;
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: return std::sqrt(2.0 / (1.0 + negative_slope * negative_slope));
  }
  return 1.0;
}

std::pair<int64_t, int64_t> fan_in_and_fan_out(const Tensor& weight) {
  CAMLAB_CHECK(weight.defined() && weight.dim() >= 2,
               "init: fan in and fan out need a weight with at least 2 dims, got {}",
               weight.defined() ? shape_str(weight.shape()) : "an undefined tensor");
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < weight.dim(); ++d) receptive_field *= weight.size(d);
  return {weight.size(1) * receptive_field, weight.size(0) * receptive_field};
}

void kaiming_normal_(const Tensor& t, Generator& gen, KaimingOptions options) {
  check_defined(t, "kaiming_normal_");
  const double gain = calculate_gain(options.nonlinearity, options.a);
  normal_(t, 0.0, gain / std::sqrt(static_cast<double>(chosen_fan(t, options.mode))), gen);
}

void kaiming_uniform_(const Tensor& t, Generator& gen, KaimingOptions options) {
  check_defined(t, "kaiming_uniform_");
  const double gain = calculate_gain(options.nonlinearity, options.a);
  const double bound = gain * std::sqrt(3.0 / static_cast<double>(chosen_fan(t, options.mode)));
  uniform_(t, -bound, bound, gen);
}

void xavier_uniform_(const Tensor& t, Generator& gen, double gain) {
  check_defined(t, "xavier_uniform_");
  auto [fan_in, fan_out] = fan_in_and_fan_out(t);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  uniform_(t, -bound, bound, gen);
}

void xavier_normal_(const Tensor& t, Generator& gen, double gain) {
  check_defined(t, "xavier_normal_");
  auto [fan_in, fan_out] = fan_in_and_fan_out(t);
  normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), gen);
}

void uniform_(const Tensor& t, double low, double high, Generator& gen) {
  check_defined(t, "uniform_");
  assign(t, ops::uniform(t.shape(), low, high, gen, t.dtype(), t.device()));
}

void normal_(const Tensor& t, double mean, double std, Generator& gen) {
  check_defined(t, "normal_");
  Tensor z = ops::randn(t.shape(), gen, t.dtype(), t.device());  // N(0, 1)
  assign(t, ops::add(ops::mul(z, std), mean));
}

void constant_(const Tensor& t, double value) {
  check_defined(t, "constant_");
  ops::fill_(t, value);
}

void zeros_(const Tensor& t) { constant_(t, 0.0); }
void ones_(const Tensor& t) { constant_(t, 1.0); }

void reset_conv_or_linear(const Tensor& weight, const Tensor& bias, Generator& gen) {
  // gain(leaky_relu, √5) · √(3 / fan_in) = √(2/6) · √(3 / fan_in) = 1/√fan_in.
  kaiming_uniform_(weight, gen, {.a = std::sqrt(5.0)});
  if (bias.defined()) {
    const int64_t fan_in = fan_in_and_fan_out(weight).first;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    uniform_(bias, -bound, bound, gen);
  }
}

}  // namespace camlab::nn::init
