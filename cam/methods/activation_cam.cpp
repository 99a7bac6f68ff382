#include "cam/methods/activation_cam.h"

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "cam/methods/map_ops.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

ActivationCam::ActivationCam(std::string name, nn::Module& model, CommonOptions common,
                             bool needs_gradients, bool always_eigen, bool needs_hessian_products)
    : Method(std::move(name), model, std::move(common)),
      needs_gradients_(needs_gradients || needs_hessian_products),
      always_eigen_(always_eigen),
      needs_hessian_products_(needs_hessian_products) {
  // Named layers are checked (and hooked) now, so a typo fails before any image is seen.
  if (!this->common().layers.empty()) {
    layers_ = this->common().layers;
    for (const nn::ForwardHookHandle& handle :
         capture_.attach(this->model(), layers_, this->name())) {
      keep_hook(handle);
    }
  }
}

void ActivationCam::prepare_layers(const Tensor& images) {
  if (!layers_.empty()) return;
  layers_ = {default_target_layer(model(), images, name())};
  for (const nn::ForwardHookHandle& handle : capture_.attach(model(), layers_, name())) {
    keep_hook(handle);
  }
}

namespace {

// H·A per layer: the gradient of g·A with A held fixed as the vector, i.e. autograd::grad of the
// recorded g with grad_outputs A. Undefined (a g that does not depend on A: a piecewise-linear
// path) becomes zeros.
std::vector<Tensor> hessian_products(const std::vector<Tensor>& grads,
                                     const std::vector<Tensor>& activations) {
  std::vector<Tensor> products;
  for (size_t l = 0; l < grads.size(); ++l) {
    const Tensor fixed = camlab::detach(activations[l]);  // [N, K, h, w]
    Tensor hv;
    if (grads[l].requires_grad()) {
      hv = autograd::grad({grads[l]}, {activations[l]}, {fixed}, /*retain_graph=*/true,
                          /*allow_unused=*/true)[0];
    }
    products.push_back(hv.defined() ? camlab::detach(hv) : ops::zeros_like(fixed));
  }
  return products;
}

}  // namespace

CamInputs ActivationCam::capture(const Tensor& images, const Target& target) {
  CamInputs in;
  in.images = images;
  in.target = &target;
  in.layers = layers_;
  Tensor logits;
  std::vector<Tensor> activations;
  {
    // Nothing below the captured layers records; for gradient methods the capture turns
    // recording on at the first of them (LayerCapture::Armed). The guard restores the caller's
    // mode at the end either way.
    autograd::NoGradGuard no_grad;
    LayerCapture::Armed armed(capture_, /*grad_from_capture=*/needs_gradients_);
    logits = forward(images);
    for (size_t l = 0; l < layers_.size(); ++l) activations.push_back(capture_.output(l));
    in.classes = target.classes(logits, name());
    if (needs_gradients_) {
      Tensor scores = target.scores(logits, in.classes, name());
      // d(Σ_n score_n)/dA: images are independent in eval mode, so each image gets its own dy/dA.
      // With Hessian products the backward is recorded (create_graph) to be differentiated again.
      std::vector<Tensor> grads =
          autograd::grad({scores}, activations, {ops::ones_like(scores)}, /*retain_graph=*/false,
                         /*allow_unused=*/true, /*create_graph=*/needs_hessian_products_);
      for (size_t l = 0; l < layers_.size(); ++l) {
        CAMLAB_CHECK(grads[l].defined(),
                     "{}: the target score does not depend on layer '{}', so it has no gradient "
                     "there; choose a layer on the path to the logits",
                     name(), layers_[l]);
      }
      if (needs_hessian_products_) in.hessian_products = hessian_products(grads, activations);
      for (Tensor& g : grads) g = camlab::detach(g);
      in.gradients = std::move(grads);
    }
  }
  capture_.clear();
  in.logits = camlab::detach(logits);
  for (const Tensor& a : activations) in.activations.push_back(camlab::detach(a));
  return in;
}

Explanation ActivationCam::compute(const Tensor& images, const Target& target) {
  prepare_layers(images);
  const CamInputs in = capture(images, target);
  const bool eigen = always_eigen_ || common().eigen_smooth;
  std::vector<Tensor> raws;
  std::vector<Tensor> weights;
  for (size_t l = 0; l < layers_.size(); ++l) {
    CAMLAB_CHECK(in.activations[l].dim() == 4,
                 "{}: layer '{}' returns {}, but activation maps need a 4-d [N, C, h, w] output",
                 name(), layers_[l], shape_str(in.activations[l].shape()));
    Contributions c = contributions(in, l);
    raws.push_back(reduce_contributions(c.terms, eigen));
    weights.push_back(c.weights);
  }
  const int64_t height = images.size(2), width = images.size(3);
  Explanation out;
  if (raws.size() == 1) {
    out.raw = raws[0];
    out.maps = display_maps(out.raw, height, width);
    out.weights = weights[0];
  } else {
    out.raw = fuse_layers(raws, height, width);
    out.maps = minmax_normalize(out.raw);
    bool all_weighted = true;
    for (const Tensor& w : weights) all_weighted = all_weighted && w.defined();
    if (all_weighted) out.weights = ops::cat(weights, 1);  // [N, Σ K_l]
  }
  out.targets = in.classes;
  out.logits = in.logits;
  std::string joined;  // the explanation file's layer attribute: "a,b"
  for (size_t l = 0; l < layers_.size(); ++l) joined += (l ? "," : "") + layers_[l];
  out.layer = joined;
  return out;
}

}  // namespace camlab::cam
