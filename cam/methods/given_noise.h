// The noise a randomised method (SmoothGrad, SS-CAM) uses in one explain call when a test or a
// caller fixes it instead of drawing it: held for that call only, cleared afterwards, also when
// the call throws.
//
//   return explain_with_given(given_noise_, noise, [&] { return explain(images, target); });
#pragma once

#include <utility>

#include "cam/methods/method.h"

namespace camlab::cam {

template <class Explain>
Explanation explain_with_given(Tensor& slot, const Tensor& noise, Explain&& explain) {
  struct Clear {
    Tensor& slot;
    ~Clear() { slot = Tensor(); }
  } clear{slot};
  slot = noise;
  return std::forward<Explain>(explain)();
}

}  // namespace camlab::cam
