#include "cam/methods/class_activation_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// Whether a and b hold the same values up to float32 rounding of a mean.
bool close(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  const double diff = ops::amax(ops::abs(ops::sub(a, b))).item();
  const double scale = ops::amax(ops::abs(b)).item();
  return diff <= 1e-5 * (1.0 + scale);
}

}  // namespace

nn::Linear& find_gap_linear_head(nn::Module& model, const std::string& layer, const Tensor& images,
                                 std::string_view method) {
  const Trace trace = trace_forward(model, images);
  const auto& entries = trace.entries;
  size_t at = entries.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].name == layer) at = i;
  }
  CAMLAB_CHECK(at < entries.size(), "{}: layer '{}' did not run in the forward pass", method,
               layer);
  const Tensor& activation = entries[at].output;
  CAMLAB_CHECK(activation.dim() == 4, "{}: layer '{}' returns {}, not a 4-d [N, C, h, w] map",
               method, layer, shape_str(activation.shape()));
  const Tensor pooled = ops::mean(activation, {2, 3});  // [N, K]: what a GAP head would see

  std::vector<std::string> after;
  for (size_t i = at + 1; i < entries.size(); ++i) {
    const TraceEntry& entry = entries[i];
    after.push_back(fmt::format("{} {}", entry.name, shape_str(entry.output.shape())));
    auto* linear = dynamic_cast<nn::Linear*>(entry.module);
    if (linear == nullptr || !close(entry.input, pooled)) continue;
    CAMLAB_CHECK(entry.output.same(trace.output) || close(entry.output, trace.output),
                 "{}: the Linear '{}' after global average pooling of '{}' is not the model's "
                 "last layer, so its weights do not score the logits; use gradcam instead",
                 method, entry.name, layer);
    return *linear;
  }
  // Name the layer that does feed the pooling (often the ReLU after the requested conv).
  std::string feeding = "the layer that feeds the pooling";
  for (size_t i = at + 1; i < entries.size(); ++i) {
    if (entries[i].output.dim() != 4) continue;
    const Tensor mean = ops::mean(entries[i].output, {2, 3});
    for (size_t j = i + 1; j < entries.size(); ++j) {
      if (dynamic_cast<nn::Linear*>(entries[j].module) && close(entries[j].input, mean)) {
        feeding = fmt::format("'{}', the layer that feeds the pooling,", entries[i].name);
      }
    }
  }
  fail(
      "{}: CAM needs a global-average-pooling + Linear head right after the target layer, but "
      "no Linear layer takes the spatial mean of '{}' as its input (after it: {}); explain {} "
      "or use gradcam, which equals CAM up to scale on such heads",
      method, layer, after.empty() ? std::string("nothing") : join_names(after, 8), feeding);
}

ClassActivationMap::ClassActivationMap(nn::Module& model, CommonOptions common)
    : ActivationCam("cam", model, std::move(common), /*needs_gradients=*/false) {}

Contributions ClassActivationMap::contributions(const CamInputs& in, size_t layer) {
  const std::string& name = in.layers[layer];
  auto found = heads_.find(name);
  if (found == heads_.end()) {
    // One image shows the structure; the head does not change between calls.
    found = heads_
                .emplace(name, &find_gap_linear_head(model(), name, in.images.narrow(0, 0, 1),
                                                     this->name()))
                .first;
  }
  const Tensor& a = in.activations[layer];  // [N, K, h, w]
  // [classes, K]: the head's weights as values; a CAM differentiates nothing.
  const Tensor fc_weight = camlab::detach(found->second->weight);
  CAMLAB_CHECK(fc_weight.size(1) == a.size(1),
               "{}: the head's Linear takes {} features but layer '{}' has {} channels",
               this->name(), fc_weight.size(1), name, a.size(1));
  // w_k = W_fc[c, k] for each image's class c (Zhou et al. 2016 eq. 2).
  Tensor w = ops::index_select(fc_weight.to(a.dtype()).to(a.device()), 0, in.classes);  // [N, K]
  return {ops::mul(w.reshape({a.size(0), a.size(1), 1, 1}), a), w};
}

}  // namespace camlab::cam
