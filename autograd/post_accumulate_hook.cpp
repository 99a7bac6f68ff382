#include "autograd/post_accumulate_hook.h"

#include <algorithm>

#include "autograd/node.h"

namespace camlab::autograd {

PostAccumulateHandle::PostAccumulateHandle(PostAccumulateHandle&& other) noexcept
    : meta_(std::move(other.meta_)), id_(other.id_) {
  other.meta_.reset();
}

PostAccumulateHandle& PostAccumulateHandle::operator=(PostAccumulateHandle&& other) noexcept {
  if (this != &other) {
    remove();
    meta_ = std::move(other.meta_);
    id_ = other.id_;
    other.meta_.reset();
  }
  return *this;
}

void PostAccumulateHandle::remove() {
  if (auto meta = meta_.lock()) {
    std::erase_if(meta->post_accumulate_hooks,
                  [&](const auto& entry) { return entry.first == id_; });
  }
  meta_.reset();
}

PostAccumulateHandle register_post_accumulate_hook(const Tensor& leaf, PostAccumulateHookFn hook) {
  CAMLAB_CHECK(leaf.defined() && leaf.requires_grad(),
               "register_post_accumulate_hook: the tensor does not require grad, so no gradient "
               "is ever accumulated into it");
  CAMLAB_CHECK(!leaf.grad_fn(),
               "register_post_accumulate_hook: the tensor was made by '{}', not a leaf; only "
               "leaves (parameters) accumulate gradients",
               leaf.grad_fn()->name());
  const std::shared_ptr<AutogradMeta>& meta = leaf.autograd_meta();
  const uint64_t id = meta->next_hook_id++;
  meta->post_accumulate_hooks.emplace_back(id, std::move(hook));
  return {meta, id};
}

}  // namespace camlab::autograd
