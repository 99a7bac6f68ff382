// The --target / explain.target list turned into map columns: each entry gives one or more columns
// of classes, one class per image.
//
//   TargetColumns c = target_columns({"top3"}, logits, labels, names);
//   c.classes;   // int64 [N, 3]: each image's three largest logits, best first
//   c.keys;      // {"top1", "top2", "top3"}: the HDF5 key suffixes
//   c.titles;    // {"top1", "top2", "top3"}: the figure's column titles
//   target_columns({"cat", "7"}, ...).titles;   // {"cat", "class 7"} (names when given)
//   target_columns({"all"}, ...);               // one column per class of the model
#pragma once

#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::experiments {

struct TargetColumns {
  Tensor classes;                   // int64 [N, T] on the CPU: the class of image n in column t
  std::vector<std::string> keys;    // [T] "pred", "label", "top2", a class as written, or its name
  std::vector<std::string> titles;  // [T] "" for pred/label, else the rank or the class name
};

// Entries: "pred" (or "predicted"), "label", "all", "topK" (K >= 1), a class index or a class
// name. logits [N, K] (or per-pixel [N, K, H, W], ranked by their mean over pixels); labels
// int64 [N] or undefined (photos). Errors name the entry and what would be valid.
TargetColumns target_columns(const std::vector<std::string>& entries, const Tensor& logits,
                             const Tensor& labels, const std::vector<std::string>& class_names);

}  // namespace camlab::experiments
