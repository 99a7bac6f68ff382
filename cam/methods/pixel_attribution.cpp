#include "cam/methods/pixel_attribution.h"

#include <algorithm>
#include <vector>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "cam/methods/grad_guard.h"
#include "cam/methods/map_ops.h"
#include "tensor/ops.h"

namespace camlab::cam {

Explanation PixelAttribution::compute(const Tensor& images, const Target& target) {
  Tensor logits;
  {
    autograd::NoGradGuard no_grad;
    logits = forward(images);
  }
  Explanation out;
  out.targets = target.classes(logits, name());
  out.logits = logits;
  out.attributions = attribute(images, out.targets, target);
  out.raw = magnitude(out.attributions);
  out.maps = display_maps(out.raw, images.size(2), images.size(3));
  out.layer = layer_name();
  return out;
}

Tensor PixelAttribution::magnitude(const Tensor& attributions) const {
  return ops::amax(ops::abs(attributions), {1});
}

Tensor input_gradient(nn::Module& model, const Tensor& images, const Tensor& classes,
                      const Target& target, std::string_view method) {
  EnableGradGuard grad;
  Tensor x = images.clone();  // a fresh leaf: the caller's tensor and graph stay untouched
  x.set_requires_grad(true);
  Tensor scores = target.scores(model(x), classes, method);
  // Σ_n: each image's score depends on its own pixels only (eval mode), so one backward suffices.
  return autograd::grad({scores}, {x}, {ops::ones_like(scores)})[0];
}

Tensor sum_over_copies(const Tensor& images, const Tensor& classes, int64_t copies,
                       int64_t batch_size, const CopyFn& copy, const AttributeFn& attribute) {
  const int64_t n = images.size(0);
  std::vector<Tensor> block_sums;
  for (int64_t first = 0; first < n; first += batch_size) {
    const int64_t count = std::min(batch_size, n - first);
    const Tensor block = images.narrow(0, first, count);
    const Tensor block_classes = classes.narrow(0, first, count);
    const int64_t per_batch = std::max<int64_t>(1, batch_size / count);  // copies per forward
    Tensor sum;
    for (int64_t c0 = 0; c0 < copies; c0 += per_batch) {
      const int64_t used = std::min(per_batch, copies - c0);
      std::vector<Tensor> batch, batch_classes;
      for (int64_t c = c0; c < c0 + used; ++c) {
        batch.push_back(copy(block, first, c));
        batch_classes.push_back(block_classes);
      }
      Tensor a = attribute(ops::cat(batch, 0), ops::cat(batch_classes, 0));  // [used·B, C, H, W]
      Shape split = a.shape();
      split[0] = count;
      split.insert(split.begin(), used);
      Tensor partial = ops::sum(a.reshape(split), {0});  // [B, C, H, W]
      sum = sum.defined() ? ops::add(sum, partial) : partial;
    }
    block_sums.push_back(sum);
  }
  return block_sums.size() == 1 ? block_sums[0] : ops::cat(block_sums, 0);
}

}  // namespace camlab::cam
