// Whether ops record a graph, per thread.
//
//   {
//     autograd::NoGradGuard no_grad;      // inference, Score-CAM's masked forwards, optimizer
//     steps Tensor logits = model(x);           // records nothing, saves nothing
//   }                                     // recording resumes
#pragma once

namespace camlab::autograd {

bool grad_enabled();
void set_grad_enabled(bool enabled);

class NoGradGuard {
 public:
  NoGradGuard() : previous_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace camlab::autograd
