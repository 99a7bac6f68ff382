#include "nn/upsample.h"

#include <cmath>

#include "autograd/ops.h"

namespace camlab::nn {

Upsample::Upsample(UpsampleOptions options) : options_(options) {
  CAMLAB_CHECK(options.size.has_value() != (options.scale_factor > 0),
               "Upsample: give exactly one of size and a positive scale_factor (got size {}, "
               "scale_factor {})",
               options.size ? options.size->str() : "none", options.scale_factor);
  CAMLAB_CHECK(!options.size || (options.size->h > 0 && options.size->w > 0),
               "Upsample: size {} must be positive", options.size ? options.size->str() : "");
  CAMLAB_CHECK(!options.align_corners || options.mode == UpsampleMode::Bilinear,
               "Upsample: align_corners applies to bilinear mode only");
}

std::array<int64_t, 2> Upsample::output_size(int64_t h, int64_t w) const {
  if (options_.size) return options_.size->array();
  auto scaled = [this](int64_t n) {
    return static_cast<int64_t>(std::floor(static_cast<double>(n) * options_.scale_factor));
  };
  return {scaled(h), scaled(w)};
}

Tensor Upsample::forward(const Tensor& x) {
  CAMLAB_CHECK(x.dim() == 4, "upsample: layer '{}' expects input [N, C, H, W] but got {}", label(),
               shape_str(x.shape()));
  const auto size = output_size(x.size(2), x.size(3));
  CAMLAB_CHECK(size[0] > 0 && size[1] > 0,
               "upsample: layer '{}' would make an empty output ({}, {}) from input {}", label(),
               size[0], size[1], shape_str(x.shape()));
  if (options_.mode == UpsampleMode::Bilinear) {
    return camlab::upsample_bilinear2d(x, size, options_.align_corners);
  }
  return camlab::upsample_nearest2d(x, size);
}

std::string Upsample::extra_repr() const {
  const char* mode = options_.mode == UpsampleMode::Bilinear ? "bilinear" : "nearest";
  std::string out = options_.size
                        ? fmt::format("size={}, mode={}", options_.size->str(), mode)
                        : fmt::format("scale_factor={:.1f}, mode={}", options_.scale_factor, mode);
  if (options_.align_corners) out += ", align_corners=True";
  return out;
}

}  // namespace camlab::nn
