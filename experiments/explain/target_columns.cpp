#include "experiments/explain/target_columns.h"

#include <charconv>

#include "cam/methods/multi_target.h"
#include "experiments/explain/class_names.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

// K of "topK", or -1 when `entry` is not of that form.
int64_t top_count(const std::string& entry) {
  if (entry.size() < 4 || entry.compare(0, 3, "top") != 0) return -1;
  int64_t k = 0;
  const char* end = entry.data() + entry.size();
  auto [stop, ec] = std::from_chars(entry.data() + 3, end, k);
  return ec == std::errc() && stop == end ? k : -1;
}

void add_column(TargetColumns& out, std::vector<Tensor>& columns, const Tensor& classes,
                std::string key, std::string title) {
  columns.push_back(classes.to(DType::Int64).to(Device::cpu()).reshape({-1, 1}));  // [N, 1]
  out.keys.push_back(std::move(key));
  out.titles.push_back(std::move(title));
}

}  // namespace

TargetColumns target_columns(const std::vector<std::string>& entries, const Tensor& logits,
                             const Tensor& labels, const std::vector<std::string>& class_names) {
  CAMLAB_CHECK(!entries.empty(), "target: give pred, label, all, topK, class indices or names");
  CAMLAB_CHECK(logits.dim() == 2 || logits.dim() == 4,
               "target: the model returns {}, but targets need logits [N, K] or [N, K, H, W]",
               shape_str(logits.shape()));
  // [N, K]: a segmenter's classes are ranked by their mean pixel logit.
  const Tensor class_scores =
      (logits.dim() == 2 ? logits : ops::mean(logits, {2, 3})).to(Device::cpu());
  const int64_t n = class_scores.size(0), classes = class_scores.size(1);
  TargetColumns out;
  std::vector<Tensor> columns;  // [T] of int64 [N, 1]
  for (const std::string& entry : entries) {
    if (entry == "pred" || entry == "predicted") {
      add_column(out, columns, ops::argmax(class_scores, 1), entry, "");
    } else if (entry == "label") {
      CAMLAB_CHECK(labels.defined(),
                   "target label: photos have no labels; give pred, all, topK, a class index or "
                   "a name");
      add_column(out, columns, labels, entry, "");
    } else if (entry == "all") {
      const Tensor every = cam::all_classes(n, classes);  // int64 [N, K]
      for (int64_t c = 0; c < classes; ++c) {
        const std::string key =
            class_names.empty() ? std::to_string(c) : class_name(c, class_names);
        add_column(out, columns, every.select(1, c), key, class_name(c, class_names));
      }
    } else if (const int64_t k = top_count(entry); k >= 0) {
      CAMLAB_CHECK(k >= 1 && k <= classes,
                   "target {}: the model has {} classes (valid top1..top{})", entry, classes,
                   classes);
      const Tensor top = cam::top_k_classes(class_scores, k);  // int64 [N, k]
      for (int64_t r = 0; r < k; ++r) {
        const std::string rank = "top" + std::to_string(r + 1);
        add_column(out, columns, top.select(1, r), rank, rank);
      }
    } else {
      const int64_t c = class_index(entry, class_names, classes);
      add_column(out, columns, ops::full({n}, static_cast<double>(c), DType::Int64, Device::cpu()),
                 entry, class_name(c, class_names));
    }
  }
  out.classes = ops::cat(columns, 1);  // int64 [N, T]
  return out;
}

}  // namespace camlab::experiments
