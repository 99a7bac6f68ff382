#include "cam/methods/segmentation_target.h"

#include <vector>

#include "autograd/ops.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// y[n, c_n, :, :] for every n: logits [N, K, H, W], classes int64 [N] -> [N, H, W].
Tensor class_pixel_logits(const Tensor& logits, const Tensor& classes) {
  const int64_t n = logits.size(0), h = logits.size(2), w = logits.size(3);
  const Tensor index =
      classes.reshape({n, 1, 1, 1}).expand({n, 1, h, w}).contiguous();  // int64 [N, 1, H, W]
  return camlab::reshape(camlab::gather(logits, 1, index), {n, h, w});
}

// The mask as [N, H, W] in the logits' dtype: the predicted region, or `given` tiled.
Tensor region_mask(const Tensor& given, const Tensor& logits, const Tensor& classes) {
  const int64_t n = logits.size(0), h = logits.size(2), w = logits.size(3);
  if (!given.defined()) {
    const Tensor predicted = ops::argmax(camlab::detach(logits), 1);  // int64 [N, H, W]
    const Tensor wanted = classes.reshape({n, 1, 1}).expand({n, h, w}).contiguous();
    return ops::eq(predicted, wanted).to(logits.dtype());  // [N, H, W] of 0/1
  }
  const Tensor mask = given.dim() == 2 ? given.reshape({1, h, w}) : given;  // [M, H, W]
  CAMLAB_CHECK(mask.dim() == 3 && mask.size(1) == h && mask.size(2) == w && n % mask.size(0) == 0,
               "segmentation target: the mask is {} but the model's output is {}; give [H, W] or "
               "[N, H, W] = [{}, {}, {}]",
               shape_str(given.shape()), shape_str(logits.shape()), n, h, w);
  std::vector<Tensor> tiles(static_cast<size_t>(n / mask.size(0)), mask);
  return ops::cat(tiles, 0).to(logits.dtype()).to(logits.device());  // [N, H, W]
}

}  // namespace

ScoreFn segmentation_score(const Tensor& mask) {
  return [mask](const Tensor& logits, const Tensor& classes) {
    CAMLAB_CHECK(logits.dim() == 4,
                 "segmentation target: the model must return per-pixel logits [N, K, H, W], got {}",
                 shape_str(logits.shape()));
    const Tensor pixels = class_pixel_logits(logits, classes);  // [N, H, W]
    return camlab::sum(camlab::mul(pixels, region_mask(mask, logits, classes)), {1, 2});  // [N]
  };
}

}  // namespace camlab::cam
