#include "nn/flatten.h"

#include "autograd/ops.h"

namespace camlab::nn {

Tensor Flatten::forward(const Tensor& x) {
  const int64_t n = std::max<int64_t>(x.dim(), 1);
  const bool valid = start_dim_ >= -n && start_dim_ < n && end_dim_ >= -n && end_dim_ < n;
  CAMLAB_CHECK(valid, "flatten: layer '{}' flattens dims {}..{} but the input {} has {} dims",
               label(), start_dim_, end_dim_, shape_str(x.shape()), x.dim());
  return camlab::flatten(x, start_dim_, end_dim_);
}

std::string Flatten::extra_repr() const {
  return fmt::format("start_dim={}, end_dim={}", start_dim_, end_dim_);
}

}  // namespace camlab::nn
