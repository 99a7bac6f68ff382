#include "cam/methods/similarity_target.h"

#include <utility>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/hooks.h"
#include "tensor/error.h"

namespace camlab::cam {

struct FeatureSimilarity::State {
  std::string layer;               // "" = the model's output
  std::shared_ptr<Tensor> latest;  // the layer's output of the last forward
  nn::ScopedForwardHook hook;      // writes `latest`
  Tensor reference;                // [D]
};

FeatureSimilarity::FeatureSimilarity(nn::Module& model, std::string layer, const Tensor& reference)
    : state_(std::make_shared<State>()) {
  CAMLAB_CHECK(reference.defined() && reference.dim() == 4 && reference.size(0) == 1,
               "similarity target: the reference image must be one image [1, C, H, W], got {}",
               reference.defined() ? shape_str(reference.shape()) : "nothing");
  state_->layer = std::move(layer);
  state_->latest = std::make_shared<Tensor>();
  if (!state_->layer.empty()) {
    std::shared_ptr<Tensor> latest = state_->latest;
    state_->hook =
        model.find(state_->layer)
            .register_forward_hook([latest](nn::Module&, const Tensor&, const Tensor& output) {
              *latest = output;
              return Tensor();
            });
  }
  autograd::NoGradGuard no_grad;
  const Tensor output = model(reference);
  const Tensor features = state_->layer.empty() ? output : *state_->latest;
  state_->reference = camlab::detach(features).reshape({-1}).contiguous();  // [D]
  *state_->latest = Tensor();
}

const Tensor& FeatureSimilarity::reference_features() const { return state_->reference; }

ScoreFn FeatureSimilarity::score() const {
  std::shared_ptr<State> state = state_;
  return [state](const Tensor& logits, const Tensor&) {
    const Tensor features = state->layer.empty() ? logits : *state->latest;
    CAMLAB_CHECK(features.defined(), "similarity target: layer '{}' did not run in this forward",
                 state->layer);
    const int64_t n = features.size(0);
    const Tensor flat = camlab::reshape(features, {n, -1});  // [N, D]
    const Tensor& r = state->reference;                      // [D]
    CAMLAB_CHECK(flat.size(1) == r.size(0),
                 "similarity target: the image's features {} do not match the reference's {} "
                 "values; give a reference of the same size as the images",
                 shape_str(features.shape()), r.size(0));
    const Tensor ref = r.to(flat.dtype()).to(flat.device()).reshape({1, -1});  // [1, D]
    const Tensor dot = camlab::sum(camlab::mul(flat, ref), {1});               // [N]
    const Tensor norms = camlab::mul(camlab::norm(flat, 2, {1}), camlab::norm(ref, 2, {1}));
    return camlab::div(dot, norms);  // [N]
  };
}

}  // namespace camlab::cam
