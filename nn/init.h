// Weight initialisation, in place and seeded, with PyTorch's formulas (torch.nn.init).
//
//   Generator gen(0);
//   nn::init::kaiming_normal_(conv.weight, gen, {.mode = FanMode::FanOut,
//                                                 .nonlinearity = Nonlinearity::ReLU});
//   nn::init::zeros_(conv.bias);
//   nn::init::reset_conv_or_linear(conv.weight, conv.bias, gen);   // PyTorch's default
#pragma once

#include <utility>

#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace camlab::nn::init {

enum class Nonlinearity { Linear, Conv, Sigmoid, Tanh, ReLU, LeakyReLU };
enum class FanMode { FanIn, FanOut };

// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear, conv and
// sigmoid, 5/3 for tanh, √2 for ReLU, √(2 / (1 + a²)) for leaky ReLU with negative slope a.
double calculate_gain(Nonlinearity nonlinearity, double negative_slope = 0.01);

// fan_in = size(1)·receptive field, fan_out = size(0)·receptive field, where the receptive field
// is the product of dims 2.. (1 for a Linear weight). Needs at least 2 dims.
std::pair<int64_t, int64_t> fan_in_and_fan_out(const Tensor& weight);

struct KaimingOptions {
  double a = 0;  // negative slope of the leaky ReLU that follows (used by LeakyReLU only)
  FanMode mode = FanMode::FanIn;
  Nonlinearity nonlinearity = Nonlinearity::LeakyReLU;
};

// He et al. 2015 (arXiv:1502.01852): std = gain / √fan.
void kaiming_normal_(const Tensor& t, Generator& gen, KaimingOptions options = {});
// U(−b, b) with b = gain · √(3 / fan), which has the same std.
void kaiming_uniform_(const Tensor& t, Generator& gen, KaimingOptions options = {});
// Glorot & Bengio 2010: U(−b, b) with b = gain · √(6 / (fan_in + fan_out)).
void xavier_uniform_(const Tensor& t, Generator& gen, double gain = 1.0);
// N(0, σ²) with σ = gain · √(2 / (fan_in + fan_out)).
void xavier_normal_(const Tensor& t, Generator& gen, double gain = 1.0);

void uniform_(const Tensor& t, double low, double high, Generator& gen);
void normal_(const Tensor& t, double mean, double std, Generator& gen);
void constant_(const Tensor& t, double value);
void zeros_(const Tensor& t);
void ones_(const Tensor& t);

// PyTorch's default for Conv2d and Linear (reset_parameters): kaiming_uniform_ with a = √5, which
// gives U(−1/√fan_in, 1/√fan_in), and the bias (if defined) from the same U(−1/√fan_in, 1/√fan_in).
void reset_conv_or_linear(const Tensor& weight, const Tensor& bias, Generator& gen);

}  // namespace camlab::nn::init
