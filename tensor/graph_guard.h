// Raw ops record no autograd graph. Applied to a tensor that requires grad while grad mode is on,
// one would cut the graph without a word (a model calling ops::relu or x.flatten(1) trains nothing
// below that point), so they refuse with an Error that names the tracked form:
//
//   Tensor w = ops::randn({3}, gen).set_requires_grad(true);
//   ops::relu(w);                                  // Error: ... call camlab::relu (autograd/ops.h)
//   camlab::relu(w);                               // tracked
//   { autograd::NoGradGuard no_grad; ops::relu(w); }   // fine: nothing records in here anyway
//   ops::relu(camlab::detach(w));                  // fine: leaving the graph on purpose
//
// Only the outermost raw op checks: the raw ops it runs inside, and those a tracked op
// (autograd/functions/) runs to compute its forward, sit in a RawOpScope.
#pragma once

#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace camlab {

// The per-thread grad-mode flag. It lives here, below autograd, so the raw layer can read it;
// autograd/grad_mode.h is the interface (grad_enabled, NoGradGuard).
bool grad_mode_enabled();
void set_grad_mode_enabled(bool enabled);

// Raw ops run in here are parts of an enclosing op (a tracked op's forward, a raw op built from
// others, a read such as item() or printing) and are not checked.
class RawOpScope {
 public:
  RawOpScope();
  ~RawOpScope();
  RawOpScope(const RawOpScope&) = delete;
  RawOpScope& operator=(const RawOpScope&) = delete;
};

// Whether a raw op entered now would check its inputs: grad mode on, outside any RawOpScope.
bool untracked_check_active();

// Throws when `input` is a floating tensor that requires grad. `op` is the raw op as the caller
// wrote it ("ops::relu", "Tensor::flatten"); `tracked` is its tracked form ("camlab::relu"), or
// empty when there is none.
void check_untracked_input(std::string_view op, std::string_view tracked, const Tensor& input);
void check_untracked_input(std::string_view op, std::string_view tracked,
                           const std::vector<Tensor>& inputs);

// Checks every input when a raw op entered now is the outermost one.
template <typename... Inputs>
void check_untracked(std::string_view op, std::string_view tracked, const Inputs&... inputs) {
  if (untracked_check_active()) (check_untracked_input(op, tracked, inputs), ...);
}

// Entered by a raw op that gives a floating result: checks its inputs when it is the outermost
// op, then holds a RawOpScope for the raw ops it runs inside.
class UntrackedOp {
 public:
  template <typename... Inputs>
  UntrackedOp(std::string_view op, std::string_view tracked, const Inputs&... inputs)
      : checked_((check_untracked(op, tracked, inputs...), true)) {}

 private:
  bool checked_;  // declared first: the check runs before inside_ opens the scope
  RawOpScope inside_;
};

}  // namespace camlab
