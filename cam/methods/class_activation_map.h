// CAM (Zhou et al. 2016): for a network ending in global average pooling and one Linear layer,
// the map of class c is Σ_k W_fc[c, k]·A^k at the layer that feeds the pooling.
//
//   ClassActivationMap cam(*model, {.layers = {"relu4"}});
//   Explanation e = cam.explain(images);    // e.weights = W_fc rows of the explained classes
//   // a model without such a head: an Error saying why, suggesting gradcam
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "cam/methods/activation_cam.h"
#include "nn/linear.h"

namespace camlab::cam {

// The Linear layer whose input is the global average pool of `layer`'s output and whose output is
// the model's output, found by a probing forward and a numerical check (so GlobalAvgPool,
// AdaptiveAvgPool2d(1) + Flatten or a functional mean all qualify). Errors say why not.
nn::Linear& find_gap_linear_head(nn::Module& model, const std::string& layer, const Tensor& images,
                                 std::string_view method);

class ClassActivationMap : public ActivationCam {
 public:
  ClassActivationMap(nn::Module& model, CommonOptions common = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  std::map<std::string, nn::Linear*> heads_;  // per target layer, found on first use
};

}  // namespace camlab::cam
