// Upsample: resize [N, C, H, W] feature maps to a fixed size or by a scale factor — how CAM maps
// reach input resolution.
//
//   Upsample up({.scale_factor = 2, .mode = UpsampleMode::Bilinear});
//   Upsample to_input({.size = Size2{224, 224}, .mode = UpsampleMode::Nearest});
//   Tensor big = up(x);                  // [N, C, 2H, 2W]
#pragma once

#include <optional>

#include "nn/module.h"
#include "nn/size2.h"

namespace camlab::nn {

enum class UpsampleMode { Nearest, Bilinear };

struct UpsampleOptions {
  std::optional<Size2> size;  // the output size; or
  double scale_factor = 0;    // output = ⌊input · scale_factor⌋, as PyTorch
  UpsampleMode mode = UpsampleMode::Nearest;
  bool align_corners = false;  // bilinear only
};

class Upsample : public Module {
 public:
  explicit Upsample(UpsampleOptions options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Upsample"; }
  std::string extra_repr() const override;

  // The output (H, W) for an input of height h and width w.
  std::array<int64_t, 2> output_size(int64_t h, int64_t w) const;

 private:
  UpsampleOptions options_;
};

}  // namespace camlab::nn
