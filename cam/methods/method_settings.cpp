#include "cam/methods/method_settings.h"

namespace camlab::cam {

void MethodSettings::set_seed(uint64_t seed) {
  randomcam.seed = seed;
  smoothgrad.seed = seed;
  sscam.seed = seed;
  dff.seed = seed;
}

void MethodSettings::set_batch_size(int64_t batch_size) {
  scorecam.batch_size = batch_size;
  ablationcam.batch_size = batch_size;
  smoothgrad.batch_size = batch_size;
  integrated_gradients.batch_size = batch_size;
  occlusion.batch_size = batch_size;
  fasterscorecam.batch_size = batch_size;
  sscam.batch_size = batch_size;
}

}  // namespace camlab::cam
