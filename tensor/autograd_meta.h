// The per-tensor slot that autograd fills in. tensor/ only stores it; what a Node is and how
// backward runs are autograd's business (autograd/node.h, autograd/engine.cpp).
//
//   Tensor w = randn({3, 3}, gen).set_requires_grad(true);   // creates the AutogradMeta
//   HookHandle h = y.register_hook([](const Tensor& g) { return g * 2.0; });
//   h.remove();                                               // or let it live with y
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace camlab {

namespace autograd {
class Node;
}

struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;                       // keep .grad on a non-leaf (retain_grad())
  Tensor grad;                                     // accumulated gradient; undefined until set
  std::shared_ptr<autograd::Node> grad_fn;         // the node that made this tensor; null: leaf
  std::weak_ptr<autograd::Node> grad_accumulator;  // a leaf's AccumulateGrad node, shared by uses
  uint32_t output_nr = 0;                          // which output of grad_fn this tensor is
  std::vector<std::pair<uint64_t, GradHookFn>> hooks;  // id -> hook, run in registration order
  uint64_t next_hook_id = 0;
  // A leaf's hooks run after a backward has added into `grad` (autograd/post_accumulate_hook.h).
  std::vector<std::pair<uint64_t, std::function<void(const Tensor& grad)>>> post_accumulate_hooks;
};

// Removes a hook registered with Tensor::register_hook; safe to call after the tensor died.
class HookHandle {
 public:
  HookHandle() = default;
  HookHandle(std::weak_ptr<AutogradMeta> meta, uint64_t id) : meta_(std::move(meta)), id_(id) {}
  void remove();

 private:
  std::weak_ptr<AutogradMeta> meta_;
  uint64_t id_ = 0;
};

}  // namespace camlab
