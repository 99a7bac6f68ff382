#include "cam/methods/masked_scores.h"

#include <algorithm>
#include <vector>

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// pytorch-grad-cam's score_cam.py: (H − min) / (max − min + 1e-8).
constexpr double kMaskEps = 1e-8;

}  // namespace

Tensor score_cam_masks(const Tensor& maps, int64_t height, int64_t width) {
  // maps [M, 1, h, w] -> masks [M, 1, H, W] in [0, 1)
  Tensor up = ops::upsample_bilinear2d(maps, {height, width}, /*align_corners=*/true);
  Tensor low = ops::amin(up, {2, 3}, true);
  Tensor span = ops::add(ops::sub(ops::amax(up, {2, 3}, true), low), kMaskEps);
  return ops::div(ops::sub(up, low), span);
}

Tensor masked_channel_scores(nn::Module& model, const CamInputs& in, const Tensor& maps,
                             const MaskedScoring& how, std::string_view method) {
  CAMLAB_CHECK(how.batch_size > 0 && how.samples > 0,
               "{}: batch_size and samples must be positive, got {} and {}", method, how.batch_size,
               how.samples);
  const int64_t n = maps.size(0), k = maps.size(1), h = maps.size(2), w = maps.size(3);
  const int64_t copies = how.samples;
  const int64_t rows = n * k * copies;
  const int64_t height = in.images.size(2), width = in.images.size(3);
  const Tensor per_channel = maps.reshape({n * k, 1, h, w});  // row p = image p / K', map p % K'
  const Tensor host_classes = in.classes.to(Device::cpu()).contiguous();
  const int64_t* classes = host_classes.data<int64_t>();

  autograd::NoGradGuard no_grad;
  std::vector<Tensor> chunks;
  for (int64_t start = 0; start < rows; start += how.batch_size) {
    const int64_t count = std::min(how.batch_size, rows - start);
    std::vector<int64_t> map_of(static_cast<size_t>(count)), image_of(map_of.size()),
        class_of(map_of.size());
    for (int64_t i = 0; i < count; ++i) {
      map_of[i] = (start + i) / copies;
      image_of[i] = map_of[i] / k;
      class_of[i] = classes[image_of[i]];
    }
    const Device device = maps.device();
    Tensor chosen =
        ops::index_select(per_channel, 0, Tensor::from_vector(map_of, {count}).to(device));
    Tensor masks = score_cam_masks(chosen, height, width);  // [M, 1, H, W]
    if (how.perturb) masks = how.perturb(masks, start);
    Tensor images =
        ops::index_select(in.images, 0, Tensor::from_vector(image_of, {count}).to(device));
    Tensor logits = model(ops::mul(images, masks));  // [M, classes]
    chunks.push_back(
        in.target->scores(logits, Tensor::from_vector(class_of, {count}).to(device), method));
  }
  Tensor scores = ops::cat(chunks, 0).reshape({n, k, copies});
  return copies == 1 ? scores.reshape({n, k}) : ops::mean(scores, {2});  // [N, K']
}

}  // namespace camlab::cam
