// Turns grad mode on for a scope: gradient methods must record a graph even when explain() is
// called under a caller's NoGradGuard.
//
//   {
//     EnableGradGuard grad;            // autograd::grad_enabled() is true in here
//     Tensor logits = model(images);   // recorded
//   }                                  // the caller's mode again
#pragma once

#include "autograd/grad_mode.h"

namespace camlab::cam {

class EnableGradGuard {
 public:
  EnableGradGuard() : previous_(autograd::grad_enabled()) { autograd::set_grad_enabled(true); }
  ~EnableGradGuard() { autograd::set_grad_enabled(previous_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace camlab::cam
