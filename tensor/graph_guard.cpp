#include "tensor/graph_guard.h"

#include "tensor/autograd_meta.h"

namespace camlab {
namespace {
thread_local bool g_grad_mode_enabled = true;
thread_local int g_raw_op_depth = 0;
}  // namespace

bool grad_mode_enabled() { return g_grad_mode_enabled; }
void set_grad_mode_enabled(bool enabled) { g_grad_mode_enabled = enabled; }

RawOpScope::RawOpScope() { ++g_raw_op_depth; }
RawOpScope::~RawOpScope() { --g_raw_op_depth; }

bool untracked_check_active() { return g_grad_mode_enabled && g_raw_op_depth == 0; }

void check_untracked_input(std::string_view op, std::string_view tracked, const Tensor& input) {
  if (!input.defined() || !input.requires_grad() || !is_floating(input.dtype())) return;
  if (tracked.empty()) {
    fail(
        "{}: the input {} requires grad and grad mode is on, but {} records no graph and has no "
        "tracked form; detach() the input or open an autograd::NoGradGuard to leave the graph "
        "on purpose",
        op, shape_str(input.shape()), op);
  }
  fail(
      "{}: the input {} requires grad and grad mode is on, but {} records no graph and would "
      "silently cut it; call {} (autograd/ops.h), or detach() the input / open an "
      "autograd::NoGradGuard to leave the graph on purpose",
      op, shape_str(input.shape()), op, tracked);
}

void check_untracked_input(std::string_view op, std::string_view tracked,
                           const std::vector<Tensor>& inputs) {
  for (const Tensor& t : inputs) check_untracked_input(op, tracked, t);
}

}  // namespace camlab
