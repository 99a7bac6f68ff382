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

// Sets grad mode for a scope: the engine turns recording on while it runs the backward of a
// create_graph pass, so the backward formulas become graph nodes themselves.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : previous_(grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeGuard() { set_grad_enabled(previous_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

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
