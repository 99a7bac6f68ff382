// The activation-map methods' shared base: one forward with hooks capturing the target layers'
// activations A, and (for the gradient methods) one autograd::grad for dy/dA. A subclass turns
// them into per-channel terms whose sum over channels (or first principal component, with
// eigen_smooth) after a ReLU is the map.
//
//   class MyCam : public ActivationCam {        // w_k = max_ij g^k_ij, say
//     Contributions contributions(const CamInputs& in, size_t l) override {
//       Tensor w = ops::amax(in.gradients[l], {2, 3}, true);               // [N, K, 1, 1]
//       return {ops::mul(w, in.activations[l]), w.flatten(1)};
//     }
//   };
#pragma once

#include <string>
#include <vector>

#include "cam/methods/layers.h"
#include "cam/methods/method.h"

namespace camlab::cam {

struct Contributions {
  Tensor terms;    // [N, K, h, w]: w_k·A^k, or element-wise terms
  Tensor weights;  // [N, K] when the method weighs whole channels, else undefined
};

// What one call's forward (and backward) produced; all detached from the graph.
struct CamInputs {
  Tensor images;   // [N, C, H, W]
  Tensor logits;   // [N, K]
  Tensor classes;  // int64 [N]
  const Target* target = nullptr;
  std::vector<std::string> layers;
  std::vector<Tensor> activations;  // per layer [N, K, h, w]
  std::vector<Tensor> gradients;    // per layer d(Σ_n score_n)/dA [N, K, h, w], if needed
  // per layer H·A = d(g·A)/dA with A held fixed as the vector [N, K, h, w], if needed (ShapleyCAM)
  std::vector<Tensor> hessian_products;
};

class ActivationCam : public Method {
 public:
  // The target layers: common.layers, or the automatic one once explain() has run.
  const std::vector<std::string>& layers() const { return layers_; }

 protected:
  // needs_gradients: run the backward for dy/dA. always_eigen: the first principal component
  // even without eigen_smooth (Eigen-CAM, EigenGrad-CAM). needs_hessian_products: also H·A by
  // double backward (implies the gradients).
  ActivationCam(std::string name, nn::Module& model, CommonOptions common, bool needs_gradients,
                bool always_eigen = false, bool needs_hessian_products = false);

  virtual Contributions contributions(const CamInputs& in, size_t layer) = 0;
  Explanation compute(const Tensor& images, const Target& target) override;

 private:
  // Resolves the layers (probing for the default the first time) and hooks them.
  void prepare_layers(const Tensor& images);
  CamInputs capture(const Tensor& images, const Target& target);

  bool needs_gradients_;
  bool always_eigen_;
  bool needs_hessian_products_;
  std::vector<std::string> layers_;
  LayerCapture capture_;
};

}  // namespace camlab::cam
