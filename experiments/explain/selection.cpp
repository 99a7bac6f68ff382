#include "experiments/explain/selection.h"

#include <algorithm>
#include <numeric>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

struct Scored {
  int64_t index;
  double confidence;  // probability of the predicted class
  bool correct;
  int64_t label;
};

std::vector<Scored> score_all(const Predictions& p) {
  Tensor probs = p.probabilities.contiguous();  // [N, K]
  auto [top, predicted] = ops::max(probs, 1);   // [N], [N]
  std::vector<Scored> all;
  for (int64_t i = 0; i < probs.size(0); ++i) {
    int64_t label = p.labels.at<int64_t>({i});
    all.push_back({i, top.at<float>({i}), predicted.at<int64_t>({i}) == label, label});
  }
  return all;
}

std::vector<int64_t> most_confident(std::vector<Scored> pool, int64_t count) {
  std::stable_sort(pool.begin(), pool.end(),
                   [](const Scored& a, const Scored& b) { return a.confidence > b.confidence; });
  std::vector<int64_t> out;
  for (const Scored& s : pool) {
    if (static_cast<int64_t>(out.size()) == count) break;
    out.push_back(s.index);
  }
  return out;
}

}  // namespace

Predictions predict_all(nn::Module& model, datasets::DataLoader& loader, Device device,
                        bool multilabel) {
  autograd::NoGradGuard no_grad;
  model.eval();
  const int64_t n = loader.dataset().size();
  // The width comes from the model, not the dataset: a checkpoint may know more classes than the
  // data being explained holds (a 10-class net on a subset that has only some of them).
  Predictions p{Tensor(), ops::zeros({n}, DType::Int64)};
  loader.start_epoch(0);
  while (std::optional<datasets::Batch> batch = loader.next()) {
    Tensor logits = model(batch->images.to(device)).to(Device::cpu());                  // [B, K]
    if (!p.probabilities.defined()) p.probabilities = ops::zeros({n, logits.size(1)});  // [N, K]
    Tensor probs = multilabel ? ops::sigmoid(logits) : ops::softmax(logits, 1);
    Tensor labels = multilabel ? ops::argmax(batch->labels, 1) : batch->labels;
    for (int64_t b = 0; b < batch->indices.size(0); ++b) {
      int64_t i = batch->indices.at<int64_t>({b});
      p.probabilities.select(0, i).copy_(probs.select(0, b));
      p.labels.select(0, i).copy_(labels.select(0, b).to(DType::Int64));
    }
  }
  if (!p.probabilities.defined()) p.probabilities = ops::zeros({n, loader.dataset().num_classes()});
  return p;
}

const std::vector<std::string>& selection_modes() {
  static const std::vector<std::string> modes = {"first",           "random",  "misclassified",
                                                 "confident-wrong", "correct", "per-class"};
  return modes;
}

std::vector<int64_t> select_images(const std::string& mode, const Predictions& predictions,
                                   int64_t count, uint64_t seed) {
  const int64_t n = predictions.labels.size(0);
  count = std::min(count, n);
  std::vector<Scored> all = score_all(predictions);
  if (mode == "first") {
    std::vector<int64_t> out(static_cast<size_t>(count));
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  if (mode == "random") {
    Generator gen(seed);
    std::vector<int64_t> order = gen.permutation(n);
    order.resize(static_cast<size_t>(count));
    return order;
  }
  if (mode == "misclassified" || mode == "confident-wrong" || mode == "correct") {
    std::vector<Scored> pool;
    for (const Scored& s : all) {
      bool wanted = mode == "correct" ? s.correct : !s.correct;
      if (mode == "confident-wrong") wanted = wanted && s.confidence >= 0.5;
      if (wanted) pool.push_back(s);
    }
    return most_confident(pool, count);
  }
  CAMLAB_CHECK(mode == "per-class",
               "--select '{}': expected one of first, random, misclassified, "
               "confident-wrong, correct, per-class",
               mode);
  std::vector<int64_t> out;
  std::vector<std::vector<int64_t>> by_class;
  for (const Scored& s : all) {
    if (s.label >= static_cast<int64_t>(by_class.size())) by_class.resize(s.label + 1);
    by_class[s.label].push_back(s.index);
  }
  for (size_t round = 0; static_cast<int64_t>(out.size()) < count; ++round) {
    bool any = false;
    for (const auto& items : by_class) {
      if (round < items.size() && static_cast<int64_t>(out.size()) < count) {
        out.push_back(items[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

}  // namespace camlab::experiments
