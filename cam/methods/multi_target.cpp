#include "cam/methods/multi_target.h"

#include <algorithm>
#include <numeric>

#include "autograd/ops.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// Rows [start, start + n) of a per-image tensor; undefined stays undefined.
Tensor rows(const Tensor& t, int64_t start, int64_t n) {
  return t.defined() ? camlab::detach(t).narrow(0, start, n).contiguous() : t;
}

// Splits an Explanation of `columns` stacked copies of n images ([columns·N, ...]) into one per
// copy.
std::vector<Explanation> split_columns(const Explanation& stacked, int64_t columns, int64_t n) {
  std::vector<Explanation> out;
  for (int64_t t = 0; t < columns; ++t) {
    Explanation e;
    e.raw = rows(stacked.raw, t * n, n);                    // [N, h, w]
    e.maps = rows(stacked.maps, t * n, n);                  // [N, H, W]
    e.targets = rows(stacked.targets, t * n, n);            // int64 [N]
    e.logits = rows(stacked.logits, t * n, n);              // [N, K]
    e.weights = rows(stacked.weights, t * n, n);            // [N, K] or undefined
    e.attributions = rows(stacked.attributions, t * n, n);  // [N, C, H, W] or undefined
    e.layer = stacked.layer;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Tensor top_k_classes(const Tensor& logits, int64_t k) {
  CAMLAB_CHECK(logits.defined() && logits.dim() == 2,
               "top-k target: the model must return logits [N, K], got {}",
               logits.defined() ? shape_str(logits.shape()) : "nothing");
  const int64_t n = logits.size(0), classes = logits.size(1);
  CAMLAB_CHECK(k >= 1 && k <= classes,
               "top-k target: k = {} but the model has {} classes (valid 1..{})", k, classes,
               classes);
  const Tensor host =
      camlab::detach(logits).to(Device::cpu()).to(DType::Float64).contiguous();  // [N, K]
  const double* y = host.data<double>();
  std::vector<int64_t> picked;  // [N, k] row-major
  std::vector<int64_t> order(static_cast<size_t>(classes));
  for (int64_t i = 0; i < n; ++i) {
    std::iota(order.begin(), order.end(), int64_t{0});
    const double* row = y + i * classes;
    // stable_sort keeps the lower class first among equal logits.
    std::stable_sort(order.begin(), order.end(),
                     [row](int64_t a, int64_t b) { return row[a] > row[b]; });
    picked.insert(picked.end(), order.begin(), order.begin() + k);
  }
  return Tensor::from_vector(picked, {n, k});
}

Tensor all_classes(int64_t images, int64_t classes) {
  std::vector<int64_t> every;  // [N, K] row-major
  for (int64_t i = 0; i < images; ++i) {
    for (int64_t c = 0; c < classes; ++c) every.push_back(c);
  }
  return Tensor::from_vector(every, {images, classes});
}

std::vector<Explanation> explain_classes(Method& method, const Tensor& images,
                                         const Tensor& classes, const ScoreFn& score,
                                         int64_t max_images) {
  CAMLAB_CHECK(images.defined() && images.dim() == 4, "{}: images must be [N, C, H, W], got {}",
               method.name(), images.defined() ? shape_str(images.shape()) : "nothing");
  const int64_t n = images.size(0);
  CAMLAB_CHECK(classes.defined() && classes.dtype() == DType::Int64 && classes.dim() == 2 &&
                   classes.size(0) == n && classes.size(1) >= 1,
               "{}: target classes must be int64 [{}, T] with T >= 1, got {}", method.name(), n,
               classes.defined() ? shape_str(classes.shape()) : "nothing");
  const int64_t columns = classes.size(1);
  // DFF factorises the whole batch into shared concepts: repeated images would change them.
  const int64_t per_call =
      method.name() == "dff" ? 1 : std::clamp<int64_t>(max_images / n, 1, columns);
  const Tensor on_device = classes.to(images.device());  // int64 [N, T]
  std::vector<Explanation> out;
  for (int64_t first = 0; first < columns; first += per_call) {
    const int64_t count = std::min(per_call, columns - first);
    std::vector<Tensor> copies(static_cast<size_t>(count), images);
    std::vector<Tensor> column_classes;
    for (int64_t t = first; t < first + count; ++t) {
      column_classes.push_back(on_device.select(1, t).contiguous());  // int64 [N]
    }
    const Explanation stacked =
        method.explain(count == 1 ? images : ops::cat(copies, 0),  // [count·N, C, H, W]
                       Target::labels(ops::cat(column_classes, 0)).with_score(score));
    for (Explanation& e : split_columns(stacked, count, n)) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace camlab::cam
