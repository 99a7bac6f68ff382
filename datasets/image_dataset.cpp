#include "datasets/image_dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "tensor/error.h"

namespace camlab::datasets {

int64_t ImageDataset::num_classes() const {
  if (!class_names.empty()) return static_cast<int64_t>(class_names.size());
  if (!labels.defined()) return 0;
  if (is_multilabel()) return labels.size(1);
  Tensor l = labels.contiguous();
  const int64_t* p = l.data<int64_t>();
  int64_t top = -1;
  for (int64_t i = 0; i < l.numel(); ++i) top = std::max(top, p[i]);
  // Saturated: a corrupt file's label 2^63 − 1 must not overflow here; validate() refuses it.
  return top == std::numeric_limits<int64_t>::max() ? top : top + 1;
}

Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& indices) {
  Tensor src = t.contiguous();
  Shape shape = src.shape();
  const int64_t rows = shape[0];
  shape[0] = static_cast<int64_t>(indices.size());
  Tensor out = Tensor::empty(shape, src.dtype());
  const size_t row_bytes =
      rows == 0 ? 0 : static_cast<size_t>(src.numel() / rows) * dtype_size(src.dtype());
  const auto* from = static_cast<const uint8_t*>(src.raw_data());
  auto* to = static_cast<uint8_t*>(out.raw_data());
  for (size_t i = 0; i < indices.size(); ++i) {
    CAMLAB_CHECK(indices[i] >= 0 && indices[i] < rows,
                 "subset: index {} out of range for a dataset of {} items (valid: 0..{})",
                 indices[i], rows, rows - 1);
    std::memcpy(to + i * row_bytes, from + indices[i] * row_bytes, row_bytes);
  }
  return out;
}

ImageDataset ImageDataset::subset(const std::vector<int64_t>& indices) const {
  ImageDataset out;
  out.name = name;
  out.class_names = class_names;
  out.images = gather_rows(images, indices);
  if (labels.defined()) out.labels = gather_rows(labels, indices);
  if (boxes.defined()) out.boxes = gather_rows(boxes, indices);
  if (masks.defined()) out.masks = gather_rows(masks, indices);
  if (distractor_boxes.defined()) out.distractor_boxes = gather_rows(distractor_boxes, indices);
  return out;
}

namespace {

// A NaN pixel would flow through every layer and every CAM method into maps of NaN with no hint
// of its origin; it is reported here, with its image, before anything runs.
void validate_finite(const Tensor& images, std::string_view source) {
  const Tensor x = images.contiguous();  // [N, C, H, W]
  const float* v = x.data<float>();
  const int64_t per_image = x.numel() / std::max<int64_t>(x.size(0), 1);
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (std::isfinite(v[i])) continue;
    const int64_t pixel = i % per_image, plane = x.size(2) * x.size(3);
    fail(
        "{}: image {} holds {} at channel {}, y {}, x {}; the data must be finite — fix or drop "
        "that image",
        source, i / per_image, v[i], pixel / plane, pixel % plane / x.size(3), pixel % x.size(3));
  }
}

void validate_images(const Tensor& images, std::string_view source) {
  CAMLAB_CHECK(images.defined(), "{}: no images; a dataset needs images [N, C, H, W]", source);
  CAMLAB_CHECK(images.dim() == 4, "{}: images have shape {}; expected [N, C, H, W]", source,
               shape_str(images.shape()));
  CAMLAB_CHECK(images.dtype() == DType::UInt8 || images.dtype() == DType::Float32,
               "{}: images are {}; expected uint8 or float32", source, dtype_name(images.dtype()));
  if (images.dtype() == DType::Float32) validate_finite(images, source);
}

// 2^24 classes: ImageNet-21k has 21 841; more is a corrupt label, not a dataset.
constexpr int64_t kMaxClasses = int64_t{1} << 24;

void validate_labels(const ImageDataset& d, std::string_view source) {
  const Tensor& labels = d.labels;
  CAMLAB_CHECK(labels.defined(), "{}: no labels; expected int64 [N] or multi-hot uint8 [N, K]",
               source);
  const int64_t n = d.size();
  if (labels.dim() == 2) {
    CAMLAB_CHECK(labels.dtype() == DType::UInt8,
                 "{}: multi-hot labels {} are {}; expected uint8 [N, K] of 0/1", source,
                 shape_str(labels.shape()), dtype_name(labels.dtype()));
    CAMLAB_CHECK(labels.size(0) == n, "{}: labels {} have {} rows but there are {} images", source,
                 shape_str(labels.shape()), labels.size(0), n);
    CAMLAB_CHECK(d.class_names.empty() || labels.size(1) == d.num_classes(),
                 "{}: multi-hot labels have K = {} columns but {} class names are given", source,
                 labels.size(1), d.class_names.size());
    Tensor l = labels.contiguous();
    const uint8_t* p = l.data<uint8_t>();
    for (int64_t i = 0; i < l.numel(); ++i) {
      CAMLAB_CHECK(p[i] <= 1, "{}: multi-hot label [{}, {}] = {}; expected 0 or 1", source,
                   i / labels.size(1), i % labels.size(1), p[i]);
    }
    return;
  }
  CAMLAB_CHECK(labels.dim() == 1 && labels.dtype() == DType::Int64,
               "{}: labels are {} {}; expected int64 [N] or multi-hot uint8 [N, K]", source,
               dtype_name(labels.dtype()), shape_str(labels.shape()));
  CAMLAB_CHECK(labels.size(0) == n, "{}: {} labels for {} images; expected one label per image",
               source, labels.size(0), n);
  Tensor l = labels.contiguous();
  const int64_t* p = l.data<int64_t>();
  // Without class names the largest label sets the class count, and with it the classifier's
  // size: a corrupt label of 10^12 would ask for a 10^12-way head.
  for (int64_t i = 0; i < n; ++i) {
    CAMLAB_CHECK(p[i] < kMaxClasses,
                 "{}: label {} of item {} is beyond {}, the most classes camlab accepts", source,
                 p[i], i, kMaxClasses);
  }
  const int64_t classes = d.num_classes();
  for (int64_t i = 0; i < n; ++i) {
    CAMLAB_CHECK(p[i] >= 0 && p[i] < classes,
                 "{}: label {} of item {} is out of range; valid class indices are 0..{} ({} "
                 "classes)",
                 source, p[i], i, classes - 1, classes);
  }
}

// `boxes` is d.boxes or d.distractor_boxes, named by `what` (singular) in errors.
void validate_boxes(const ImageDataset& d, const Tensor& boxes, std::string_view what,
                    std::string_view source) {
  CAMLAB_CHECK(boxes.dim() == 3 && boxes.size(2) == 4 && boxes.dtype() == DType::Float32,
               "{}: {}es are {} {}; expected float32 [N, M, 4] (x0, y0, x1, y1)", source, what,
               dtype_name(boxes.dtype()), shape_str(boxes.shape()));
  CAMLAB_CHECK(boxes.size(0) == d.size(), "{}: {}es {} have {} rows but there are {} images",
               source, what, shape_str(boxes.shape()), boxes.size(0), d.size());
  const auto w = static_cast<float>(d.width()), h = static_cast<float>(d.height());
  Tensor b = boxes.contiguous();
  const float* p = b.data<float>();  // [N, M, 4]
  for (int64_t r = 0; r < b.size(0) * b.size(1); ++r) {
    const float* box = p + r * 4;
    if (box[0] == -1 && box[1] == -1 && box[2] == -1 && box[3] == -1) continue;  // padding row
    const bool inside = box[0] >= 0 && box[1] >= 0 && box[0] <= box[2] && box[1] <= box[3] &&
                        box[2] <= w && box[3] <= h;
    CAMLAB_CHECK(inside,
                 "{}: {} [{}, {}] = ({}, {}, {}, {}) lies outside the {}x{} image; valid boxes "
                 "have 0 <= x0 <= x1 <= {} and 0 <= y0 <= y1 <= {} (rows of -1 pad)",
                 source, what, r / b.size(1), r % b.size(1), box[0], box[1], box[2], box[3], w, h,
                 w, h);
  }
}

void validate_masks(const ImageDataset& d, std::string_view source) {
  const Tensor& masks = d.masks;
  const Shape want{d.size(), d.height(), d.width()};
  CAMLAB_CHECK(masks.dtype() == DType::UInt8, "{}: masks are {}; expected uint8 [N, H, W]", source,
               dtype_name(masks.dtype()));
  CAMLAB_CHECK(masks.shape() == want,
               "{}: masks have shape {} but images {} need masks of shape {} [N, H, W]", source,
               shape_str(masks.shape()), shape_str(d.images.shape()), shape_str(want));
  const int64_t classes = d.num_classes();
  Tensor m = masks.contiguous();
  const uint8_t* p = m.data<uint8_t>();
  for (int64_t i = 0; i < m.numel(); ++i) {
    CAMLAB_CHECK(p[i] <= classes,
                 "{}: mask value {} at item {} is out of range; valid values are 0 (background) "
                 "and 1..{} (class k + 1)",
                 source, p[i], i / (want[1] * want[2]), classes);
  }
}

}  // namespace

void ImageDataset::validate(std::string_view source) const {
  validate_images(images, source);
  validate_labels(*this, source);
  if (boxes.defined()) validate_boxes(*this, boxes, "box", source);
  if (distractor_boxes.defined()) validate_boxes(*this, distractor_boxes, "distractor box", source);
  if (masks.defined()) validate_masks(*this, source);
}

}  // namespace camlab::datasets
