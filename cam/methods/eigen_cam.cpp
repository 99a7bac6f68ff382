#include "cam/methods/eigen_cam.h"

namespace camlab::cam {

EigenCam::EigenCam(nn::Module& model, CommonOptions common)
    : ActivationCam("eigencam", model, std::move(common), /*needs_gradients=*/false,
                    /*always_eigen=*/true) {}

Contributions EigenCam::contributions(const CamInputs& in, size_t layer) {
  return {in.activations[layer], Tensor()};
}

}  // namespace camlab::cam
