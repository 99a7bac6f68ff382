#include "nn/activation.h"

#include "autograd/ops.h"

namespace camlab::nn {

Tensor ReLU::forward(const Tensor& x) { return camlab::relu(x); }

Tensor LeakyReLU::forward(const Tensor& x) { return camlab::leaky_relu(x, negative_slope_); }
std::string LeakyReLU::extra_repr() const {
  return fmt::format("negative_slope={}", negative_slope_);
}

Tensor ELU::forward(const Tensor& x) { return camlab::elu(x, alpha_); }
std::string ELU::extra_repr() const { return fmt::format("alpha={}", alpha_); }

Tensor GELU::forward(const Tensor& x) { return camlab::gelu(x); }

Tensor Sigmoid::forward(const Tensor& x) { return camlab::sigmoid(x); }

Tensor Tanh::forward(const Tensor& x) { return camlab::tanh(x); }

Tensor Softmax::forward(const Tensor& x) {
  CAMLAB_CHECK(dim_ >= -x.dim() && dim_ < x.dim(),
               "softmax: layer '{}' uses dim {} but the input {} has {} dims", label(), dim_,
               shape_str(x.shape()), x.dim());
  return camlab::softmax(x, dim_);
}
std::string Softmax::extra_repr() const { return fmt::format("dim={}", dim_); }

}  // namespace camlab::nn
