// Random-CAM's own option: the seed of its channel weights w_k ~ U(−1, 1).
//
//   RandomCam random(*model, {}, RandomCamOptions{.seed = 7});
#pragma once

#include <cstdint>

namespace camlab::cam {

struct RandomCamOptions {
  uint64_t seed = 0;  // successive explain() calls continue the same stream
};

}  // namespace camlab::cam
