// ImageDataset: a whole small-image dataset held in memory, as the HDF5 dataset schema lays it out.
//
//   ImageDataset train = load_fashion_mnist(fashion_mnist_dir(), "train");  // [60000, 1, 28, 28]
//   ImageDataset few = train.subset({0, 1, 2});                             // three items, copied
//   fmt::print("{} classes, first is {}\n", train.num_classes(), train.class_names[0]);
//   train.validate("fashion-mnist");   // one-line Error naming the first thing that is wrong
//
// Every reader returns one; the DataLoader turns it into float batches. Copies are shallow (the
// Tensors are handles to shared storage); subset() copies the data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::datasets {

struct ImageDataset {
  std::string name;
  Tensor images;  // [N, C, H, W] uint8 (0..255) or float32
  Tensor labels;  // [N] int64 class index, or [N, K] uint8 multi-hot
  Tensor boxes;   // [N, M, 4] float32 x0, y0, x1, y1 in pixels, rows of -1 pad; may be undefined
  Tensor masks;   // [N, H, W] uint8, 0 background, k + 1 = class k; may be undefined
  // [N, D, 4] float32 like boxes: items that are not targets (distractors of other classes on
  // textured composites), so that evaluation can tell them apart; may be undefined
  Tensor distractor_boxes;
  std::vector<std::string> class_names;

  int64_t size() const { return images.defined() ? images.size(0) : 0; }
  int64_t channels() const { return images.size(1); }
  int64_t height() const { return images.size(2); }
  int64_t width() const { return images.size(3); }
  bool is_multilabel() const { return labels.defined() && labels.dim() == 2; }
  bool has_boxes() const { return boxes.defined(); }
  bool has_masks() const { return masks.defined(); }
  // class_names.size() when named; else K for multi-hot labels, else the largest label + 1.
  int64_t num_classes() const;

  // The items at `indices` (in that order), every field copied.
  ImageDataset subset(const std::vector<int64_t>& indices) const;

  // Checks dtypes, shapes, N across fields, label range, boxes inside the image and mask values.
  // Errors start with `source` (a file name or dataset name).
  void validate(std::string_view source) const;
};

// The rows of `t` (any dtype, dim 0 indexed) at `indices`, as a new contiguous tensor.
Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& indices);

}  // namespace camlab::datasets
