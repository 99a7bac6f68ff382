#include "cam/methods/score_cam.h"

#include "cam/methods/masked_scores.h"
#include "tensor/ops.h"

namespace camlab::cam {

ScoreCam::ScoreCam(nn::Module& model, CommonOptions common, ScoreCamOptions own)
    : ActivationCam("scorecam", model, std::move(common), /*needs_gradients=*/false), own_(own) {
  check_batch_size(own_.batch_size);
}

Contributions ScoreCam::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];  // [N, K, h, w]
  const Tensor scores =
      masked_channel_scores(model(), in, a, {.batch_size = own_.batch_size}, name());  // [N, K]
  // Wang et al. 2020 eq. 8 as pytorch-grad-cam: the softmax over channels of the masked scores.
  Tensor weights = ops::softmax(scores, 1);  // [N, K]
  return {ops::mul(weights.reshape({a.size(0), a.size(1), 1, 1}), a), weights};
}

}  // namespace camlab::cam
