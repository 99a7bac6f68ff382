// Hooks that run once a backward has accumulated a leaf's gradient into .grad(), as PyTorch's
// Tensor.register_post_accumulate_grad_hook. Data parallelism (distributed/data_parallel.h)
// starts a bucket's all-reduce from here, while the rest of the backward still runs.
//
//   Tensor w = randn({3, 3}, gen).set_requires_grad(true);
//   PostAccumulateHandle h = autograd::register_post_accumulate_hook(
//       w, [](const Tensor& grad) { fmt::print("{}\n", grad.numel()); });
//   camlab::backward(loss);   // prints 9 once w.grad() holds this backward's sum
//   h.remove();               // or let the handle go: it removes the hook when destroyed
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "tensor/autograd_meta.h"
#include "tensor/tensor.h"

namespace camlab::autograd {

using PostAccumulateHookFn = std::function<void(const Tensor& grad)>;

// Removes its hook when destroyed or on remove(); safe after the tensor died. Move-only.
class PostAccumulateHandle {
 public:
  PostAccumulateHandle() = default;
  PostAccumulateHandle(std::weak_ptr<AutogradMeta> meta, uint64_t id)
      : meta_(std::move(meta)), id_(id) {}
  PostAccumulateHandle(PostAccumulateHandle&& other) noexcept;
  PostAccumulateHandle& operator=(PostAccumulateHandle&& other) noexcept;
  PostAccumulateHandle(const PostAccumulateHandle&) = delete;
  PostAccumulateHandle& operator=(const PostAccumulateHandle&) = delete;
  ~PostAccumulateHandle() { remove(); }
  void remove();

 private:
  std::weak_ptr<AutogradMeta> meta_;
  uint64_t id_ = 0;
};

// `leaf` must be a tensor that requires grad and has no grad_fn (a parameter); the hook sees the
// whole gradient .grad() holds after this backward's contribution was added.
[[nodiscard]] PostAccumulateHandle register_post_accumulate_hook(const Tensor& leaf,
                                                                 PostAccumulateHookFn hook);

}  // namespace camlab::autograd
