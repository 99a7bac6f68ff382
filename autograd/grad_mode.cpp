#include "autograd/grad_mode.h"

#include "tensor/graph_guard.h"

namespace camlab::autograd {

// The flag itself lives in tensor/graph_guard.cpp, where raw ops read it to refuse cutting a graph.
bool grad_enabled() { return grad_mode_enabled(); }
void set_grad_enabled(bool enabled) { set_grad_mode_enabled(enabled); }

}  // namespace camlab::autograd
