#include "cam/methods/eigen_cam.h"

namespace camlab::cam {

EigenCam::EigenCam(nn::Module& model, MethodOptions options)
    : ActivationCam("eigencam", model, std::move(options), /*needs_gradients=*/false,
                    /*always_eigen=*/true) {}

Contributions EigenCam::contributions(const CamInputs& in, size_t layer) {
  return {in.activations[layer], Tensor()};
}

}  // namespace camlab::cam
