#include "cam/methods/dff.h"

#include <vector>

#include "autograd/grad_mode.h"
#include "nn/linear.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// Added to the multiplicative updates' denominators, which are zero only where a factor's row or
// column is (scikit-learn puts float32's epsilon there instead).
constexpr double kUpdateEps = 1e-10;

}  // namespace

Factorization factorize_activations(const Tensor& activations, int64_t iterations,
                                    const Tensor& draws_w, const Tensor& draws_h) {
  CAMLAB_CHECK(activations.dim() == 4, "dff: activations must be [N, C, h, w], got {}",
               shape_str(activations.shape()));
  const int64_t n = activations.size(0), c = activations.size(1), h = activations.size(2),
                w = activations.size(3);
  const int64_t positions = n * h * w;
  const int64_t k = draws_w.dim() == 2 ? draws_w.size(1) : 0;
  CAMLAB_CHECK(draws_w.dim() == 2 && draws_w.size(0) == c && k > 0 && draws_h.dim() == 2 &&
                   draws_h.size(0) == k && draws_h.size(1) == positions,
               "dff: initial draws {} and {} must be [C, k] = [{}, k] and [k, N·h·w] = [k, {}]",
               shape_str(draws_w.shape()), shape_str(draws_h.shape()), c, positions);
  const DType dtype = activations.dtype();
  const Device device = activations.device();
  // X [C, N·h·w]: one column per position of every image, each row shifted to min 0.
  Tensor x = activations.permute({1, 0, 2, 3}).contiguous().reshape({c, positions});
  const Tensor offset = ops::amin(x, {1}, true);  // [C, 1]
  x = ops::sub(x, offset);
  // scikit-learn's init="random": √(mean X / k)·|N(0, 1)|.
  const Tensor scale = ops::sqrt(ops::mul(ops::mean(x), 1.0 / static_cast<double>(k)));
  Tensor fw = ops::mul(ops::abs(draws_w.to(dtype).to(device)), scale);  // W [C, k]
  Tensor fh = ops::mul(ops::abs(draws_h.to(dtype).to(device)), scale);  // H [k, N·h·w]
  for (int64_t step = 0; step < iterations; ++step) {
    // Lee & Seung 2001, Frobenius norm: W ← W ⊙ XHᵀ / (WHHᵀ), then H ← H ⊙ WᵀX / (WᵀWH).
    const Tensor ht = fh.transpose(0, 1).contiguous();
    fw = ops::div(ops::mul(fw, ops::matmul(x, ht)),
                  ops::add(ops::matmul(fw, ops::matmul(fh, ht)), kUpdateEps));
    const Tensor wt = fw.transpose(0, 1).contiguous();
    fh = ops::div(ops::mul(fh, ops::matmul(wt, x)),
                  ops::add(ops::matmul(ops::matmul(wt, fw), fh), kUpdateEps));
  }
  Factorization out;
  out.concepts = ops::add(fw, offset);                                     // [C, k]
  out.maps = fh.reshape({k, n, h, w}).permute({1, 0, 2, 3}).contiguous();  // [N, k, h, w]
  return out;
}

Dff::Dff(nn::Module& model, CommonOptions common, DffOptions own)
    : ActivationCam("dff", model, without_eigen_smooth(std::move(common)),
                    /*needs_gradients=*/false),
      own_(std::move(own)),
      generator_(own_.seed) {
  CAMLAB_CHECK(own_.concepts > 0 && own_.iterations > 0,
               "dff: concepts and iterations must be positive, got {} and {}", own_.concepts,
               own_.iterations);
  if (!own_.classifier.empty()) find_layer(this->model(), own_.classifier, "dff");
}

Explanation Dff::explain_with_draws(const Tensor& images, const Target& target,
                                    const Tensor& draws_w, const Tensor& draws_h) {
  given_w_ = draws_w;
  given_h_ = draws_h;
  try {
    Explanation out = explain(images, target);
    given_w_ = given_h_ = Tensor();
    return out;
  } catch (...) {
    given_w_ = given_h_ = Tensor();
    throw;
  }
}

nn::Module& Dff::classifier(int64_t channels, const std::string& layer) {
  if (!own_.classifier.empty()) return find_layer(model(), own_.classifier, name());
  nn::Module* found = nullptr;
  for (const auto& [path, module] : model().named_modules()) {
    const auto* linear = dynamic_cast<const nn::Linear*>(module);
    if (linear != nullptr && linear->in_features() == channels) found = module;
  }
  CAMLAB_CHECK(found != nullptr,
               "dff: no Linear layer takes the {} channels of layer '{}' to score the concepts; "
               "set DffOptions::classifier to the layer that does",
               channels, layer);
  return *found;
}

Contributions Dff::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];  // [N, C, h, w]
  const int64_t n = a.size(0), c = a.size(1), h = a.size(2), w = a.size(3);
  const int64_t k = own_.concepts;
  const Tensor draws_w =
      given_w_.defined() ? given_w_ : ops::randn({c, k}, generator_, a.dtype(), a.device());
  const Tensor draws_h =
      given_h_.defined() ? given_h_ : ops::randn({k, n * h * w}, generator_, a.dtype(), a.device());
  Factorization f = factorize_activations(a, own_.iterations, draws_w, draws_h);
  {
    autograd::NoGradGuard no_grad;
    f.scores = classifier(c, in.layers[layer])(f.concepts.transpose(0, 1).contiguous());
  }
  CAMLAB_CHECK(f.scores.dim() == 2 && f.scores.size(0) == f.concepts.size(1) &&
                   f.scores.size(1) == in.logits.size(1),
               "dff: the classifier turned concepts [{}, {}] into {}, not [{}, {}] class scores",
               f.concepts.size(1), c, shape_str(f.scores.shape()), f.concepts.size(1),
               in.logits.size(1));
  // Each image's concept scores for its class [N, k], and its best concept's map [N, 1, h, w].
  const Tensor class_scores =
      ops::index_select(f.scores, 1, in.classes).transpose(0, 1).contiguous();
  const Tensor best = ops::argmax(class_scores, 1).to(Device::cpu()).contiguous();  // int64 [N]
  const int64_t concepts = f.maps.size(1);  // k, or the given draws' count
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[i] = i * concepts + best.data<int64_t>()[i];
  const Tensor terms = ops::index_select(f.maps.reshape({n * concepts, h, w}), 0,
                                         Tensor::from_vector(rows, {n}).to(a.device()))
                           .reshape({n, 1, h, w});
  last_ = std::move(f);
  return {terms, class_scores};
}

}  // namespace camlab::cam
