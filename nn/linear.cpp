#include "nn/linear.h"

#include "autograd/ops.h"
#include "nn/init.h"

namespace camlab::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias_enabled, Generator& gen)
    : in_features_(in_features), out_features_(out_features) {
  CAMLAB_CHECK(in_features > 0 && out_features > 0,
               "Linear: in_features {} and out_features {} must be positive", in_features,
               out_features);
  weight = Tensor::empty({out_features, in_features});
  if (bias_enabled) bias = Tensor::empty({out_features});
  init::reset_conv_or_linear(weight, bias, gen);
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

Tensor Linear::forward(const Tensor& x) {
  CAMLAB_CHECK(x.dim() >= 1 && x.size(-1) == in_features_,
               "linear: input has {} features but layer '{}' expects {} (input {}, weight {})",
               x.dim() >= 1 ? x.size(-1) : 0, label(), in_features_, shape_str(x.shape()),
               shape_str(weight.shape()));
  if (x.dim() == 2) return camlab::linear(x, weight, bias);
  // [.., in] -> [rows, in] -> [rows, out] -> [.., out]
  Shape out_shape = x.shape();
  out_shape.back() = out_features_;
  Tensor rows = camlab::reshape(x, {-1, in_features_});
  return camlab::reshape(camlab::linear(rows, weight, bias), out_shape);
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features_, out_features_,
                     bias.defined() ? "True" : "False");
}

}  // namespace camlab::nn
