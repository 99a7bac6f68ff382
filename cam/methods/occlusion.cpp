#include "cam/methods/occlusion.h"

#include <algorithm>
#include <vector>

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

struct Position {
  int64_t row;
  int64_t col;
};

}  // namespace

Occlusion::Occlusion(nn::Module& model, CommonOptions common, OcclusionOptions own)
    : PixelAttribution("occlusion", model, std::move(common)), own_(own) {
  CAMLAB_CHECK(own_.patch > 0 && own_.stride > 0,
               "occlusion: patch and stride must be positive, got {} and {}", own_.patch,
               own_.stride);
  check_batch_size(own_.batch_size);
}

Tensor Occlusion::attribute(const Tensor& images, const Tensor& classes, const Target& target) {
  const int64_t n = images.size(0), channels = images.size(1);
  const int64_t height = images.size(2), width = images.size(3);
  const int64_t patch = own_.patch, stride = own_.stride;
  CAMLAB_CHECK(patch <= height && patch <= width,
               "occlusion: a {}x{} patch does not fit images of {}x{}", patch, patch, height,
               width);
  std::vector<Position> positions;  // top-left corners of patches that fit
  for (int64_t r = 0; r + patch <= height; r += stride) {
    for (int64_t c = 0; c + patch <= width; c += stride) positions.push_back({r, c});
  }
  const int64_t per_image = static_cast<int64_t>(positions.size());
  const Tensor host_classes = classes.to(Device::cpu()).contiguous();
  const int64_t* class_of_image = host_classes.data<int64_t>();

  autograd::NoGradGuard no_grad;
  const Tensor clean = target.scores(model()(images), classes, name())
                           .to(Device::cpu())
                           .to(DType::Float64)
                           .contiguous();  // [N]
  const double* clean_score = clean.data<double>();
  std::vector<double> drop_sum(static_cast<size_t>(n * height * width), 0.0);
  std::vector<double> covered(static_cast<size_t>(n * height * width), 0.0);
  const int64_t total = n * per_image;
  for (int64_t start = 0; start < total; start += own_.batch_size) {
    const int64_t count = std::min(own_.batch_size, total - start);
    std::vector<int64_t> image_of(static_cast<size_t>(count)), class_of(static_cast<size_t>(count));
    std::vector<double> keep(static_cast<size_t>(count * height * width), 1.0);  // 0 in the patch
    for (int64_t i = 0; i < count; ++i) {
      image_of[i] = (start + i) / per_image;
      class_of[i] = class_of_image[image_of[i]];
      const Position at = positions[(start + i) % per_image];
      for (int64_t r = at.row; r < at.row + patch; ++r) {
        for (int64_t c = at.col; c < at.col + patch; ++c) keep[(i * height + r) * width + c] = 0.0;
      }
    }
    Tensor mask =
        Tensor::from_vector(keep, {count, 1, height, width}).to(images.dtype()).to(images.device());
    Tensor index = Tensor::from_vector(image_of, {count}).to(images.device());
    // x·mask + baseline·(1 − mask), every channel
    Tensor occluded = ops::add(ops::mul(ops::index_select(images, 0, index), mask),
                               ops::mul(ops::add(ops::neg(mask), 1.0), own_.baseline));
    Tensor scores = target.scores(
        model()(occluded), Tensor::from_vector(class_of, {count}).to(images.device()), name());
    Tensor host = scores.to(Device::cpu()).to(DType::Float64).contiguous();
    const double* score = host.data<double>();
    for (int64_t i = 0; i < count; ++i) {
      const int64_t img = image_of[i];
      const Position at = positions[(start + i) % per_image];
      const double drop = clean_score[img] - score[i];
      for (int64_t r = at.row; r < at.row + patch; ++r) {
        for (int64_t c = at.col; c < at.col + patch; ++c) {
          drop_sum[(img * height + r) * width + c] += drop;
          covered[(img * height + r) * width + c] += 1.0;
        }
      }
    }
  }
  for (size_t i = 0; i < drop_sum.size(); ++i) {
    if (covered[i] > 0) drop_sum[i] /= covered[i];
  }
  Tensor drop = Tensor::from_vector(drop_sum, {n, 1, height, width}).to(images.dtype());
  return drop.expand({n, channels, height, width}).contiguous().to(images.device());
}

Tensor Occlusion::magnitude(const Tensor& attributions) const {
  return attributions.select(1, 0).contiguous();
}

}  // namespace camlab::cam
