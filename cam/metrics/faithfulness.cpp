#include "cam/metrics/faithfulness.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

void check_pair(const Tensor& images, const Tensor& maps, const Tensor& classes, const char* what) {
  CAMLAB_CHECK(images.dim() == 4 && maps.dim() == 3 && maps.size(0) == images.size(0) &&
                   maps.size(1) == images.size(2) && maps.size(2) == images.size(3),
               "{}: images {} and maps {} do not match; expected [N, C, H, W] and [N, H, W]", what,
               shape_str(images.shape()), shape_str(maps.shape()));
  CAMLAB_CHECK(!classes.defined() || (classes.dim() == 1 && classes.size(0) == images.size(0)),
               "{}: classes {} for {} images; expected int64 [N]", what,
               classes.defined() ? shape_str(classes.shape()) : "undefined", images.size(0));
}

// Pixel indices of one map, most important first (stable: ties keep pixel order).
std::vector<int64_t> importance_order(const float* map, int64_t pixels) {
  std::vector<int64_t> order(static_cast<size_t>(pixels));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return map[a] > map[b]; });
  return order;
}

// What removed pixels take: options.baseline_images, else the constant options.baseline.
Tensor baseline_or_constant(const CurveOptions& o, const Tensor& images) {  // [N, C, H, W]
  if (!o.baseline_images.defined()) return ops::full(images.shape(), o.baseline);
  CAMLAB_CHECK(o.baseline_images.shape() == images.shape(),
               "deletion/insertion curves: baseline_images {} for images {}; expected the same "
               "shape",
               shape_str(o.baseline_images.shape()), shape_str(images.shape()));
  return o.baseline_images.to(Device::cpu()).to(DType::Float32).contiguous();
}

// Shared by deletion and insertion: `restore` false removes pixels from the image, true restores
// them onto the baseline.
Tensor pixel_curves(const ClassProbability& probability, const Tensor& images_in,
                    const Tensor& maps_in, const Tensor& classes_in, const CurveOptions& o,
                    bool restore) {
  const char* what = restore ? "insertion_curves" : "deletion_curves";
  check_pair(images_in, maps_in, classes_in, what);
  CAMLAB_CHECK(o.steps >= 1 && o.batch_size >= 1, "{}: steps {} and batch_size {} must be >= 1",
               what, o.steps, o.batch_size);
  const Tensor images = images_in.to(Device::cpu()).to(DType::Float32).contiguous();  // [N,C,H,W]
  const Tensor maps = maps_in.to(Device::cpu()).to(DType::Float32).contiguous();      // [N, H, W]
  const Tensor classes = classes_in.to(Device::cpu()).to(DType::Int64).contiguous();  // [N]
  const int64_t n = images.size(0), c = images.size(1), pixels = images.size(2) * images.size(3);
  const int64_t points = o.steps + 1, rows = n * points;
  std::vector<std::vector<int64_t>> orders(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    orders[i] = importance_order(maps.data<float>() + i * pixels, pixels);

  Tensor curves = Tensor::empty({n, points}, DType::Float32);  // [N, S + 1]
  const float* x = images.data<float>();
  const Tensor baseline = baseline_or_constant(o, images);  // [N, C, H, W]
  for (int64_t first = 0; first < rows; first += o.batch_size) {
    const int64_t b = std::min(o.batch_size, rows - first);
    Tensor batch = Tensor::empty({b, c, images.size(2), images.size(3)}, DType::Float32);
    Tensor batch_classes = Tensor::empty({b}, DType::Int64);  // [b]
    for (int64_t r = 0; r < b; ++r) {
      const int64_t i = (first + r) / points, k = (first + r) % points;
      const auto changed = static_cast<int64_t>(
          std::lround(static_cast<double>(k) * static_cast<double>(pixels) / o.steps));
      float* out = batch.data<float>() + r * c * pixels;
      const float* src = x + i * c * pixels;
      const float* base = baseline.data<float>() + i * c * pixels;
      if (restore) {
        std::copy(base, base + c * pixels, out);
      } else {
        std::copy(src, src + c * pixels, out);
      }
      for (int64_t j = 0; j < changed; ++j) {
        const int64_t p = orders[i][j];
        for (int64_t ch = 0; ch < c; ++ch) {
          out[ch * pixels + p] = restore ? src[ch * pixels + p] : base[ch * pixels + p];
        }
      }
      batch_classes.data<int64_t>()[r] = classes.data<int64_t>()[i];
    }
    Tensor p = probability(batch, batch_classes).to(Device::cpu()).to(DType::Float32).contiguous();
    CAMLAB_CHECK(p.numel() == b, "{}: the probability function returned {} for {} images", what,
                 shape_str(p.shape()), b);
    std::copy(p.data<float>(), p.data<float>() + b, curves.data<float>() + first);
  }
  return curves;
}

}  // namespace

Tensor mask_inputs(const Tensor& images, const Tensor& maps) {
  check_pair(images, maps, Tensor(), "mask_inputs");
  return ops::mul(images, maps.to(images.device()).to(images.dtype()).unsqueeze(1));
}

Tensor confidence_drop(const Tensor& y, const Tensor& o) {
  CAMLAB_CHECK(y.shape() == o.shape(), "confidence_drop: y {} and o {} differ in shape",
               shape_str(y.shape()), shape_str(o.shape()));
  return ops::div(ops::relu(ops::sub(y, o)), y);
}

Tensor confidence_increase(const Tensor& y, const Tensor& o) {
  CAMLAB_CHECK(y.shape() == o.shape(), "confidence_increase: y {} and o {} differ in shape",
               shape_str(y.shape()), shape_str(o.shape()));
  return ops::gt(o, y).to(y.dtype());
}

Tensor deletion_curves(const ClassProbability& probability, const Tensor& images,
                       const Tensor& maps, const Tensor& classes, const CurveOptions& options) {
  return pixel_curves(probability, images, maps, classes, options, false);
}

Tensor insertion_curves(const ClassProbability& probability, const Tensor& images,
                        const Tensor& maps, const Tensor& classes, const CurveOptions& options) {
  return pixel_curves(probability, images, maps, classes, options, true);
}

Tensor curve_auc(const Tensor& curves) {
  CAMLAB_CHECK(curves.dim() == 2 && curves.size(1) >= 2,
               "curve_auc: curves {}; expected [N, S + 1] with S >= 1", shape_str(curves.shape()));
  const int64_t steps = curves.size(1) - 1;
  Tensor left = curves.narrow(1, 0, steps), right = curves.narrow(1, 1, steps);
  // Σ_k (c_k + c_{k+1}) / 2 · (1 / S)
  return ops::mul(ops::sum(ops::add(left, right), {1}), 0.5 / static_cast<double>(steps));
}

}  // namespace camlab::cam
