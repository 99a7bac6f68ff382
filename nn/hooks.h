// Forward hooks on modules: how explanation methods capture activations without editing a model.
//
//   Tensor activation;
//   ScopedForwardHook capture = model.find("conv4").register_forward_hook(
//       [&](Module&, const Tensor&, const Tensor& output) { activation = output; });
//   Tensor logits = model(x);          // activation now holds conv4's output
//   // `capture` removes the hook when it leaves scope; a plain handle needs .remove()
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::nn {

class Module;

// Runs before forward; may return a replacement input (an undefined Tensor keeps it).
using ForwardPreHook = std::function<Tensor(Module& module, const Tensor& input)>;
// Runs after forward; may return a replacement output (an undefined Tensor keeps it).
using ForwardHook =
    std::function<Tensor(Module& module, const Tensor& input, const Tensor& output)>;

// One module's hooks, in registration order. Ids are unique across both lists.
struct HookRegistry {
  uint64_t next_id = 0;
  std::vector<std::pair<uint64_t, ForwardPreHook>> pre_hooks;
  std::vector<std::pair<uint64_t, ForwardHook>> hooks;

  void remove(uint64_t id);
};

// Removes one hook; safe to call twice or after the module died.
class ForwardHookHandle {
 public:
  ForwardHookHandle() = default;
  ForwardHookHandle(std::weak_ptr<HookRegistry> registry, uint64_t id)
      : registry_(std::move(registry)), id_(id) {}
  void remove();
  // Whether the hook is still registered.
  bool active() const;

 private:
  std::weak_ptr<HookRegistry> registry_;
  uint64_t id_ = 0;
};

// Owns a hook for a scope: removes it on destruction. Move-only.
class ScopedForwardHook {
 public:
  ScopedForwardHook() = default;
  ScopedForwardHook(ForwardHookHandle handle) : handle_(std::move(handle)) {}  // NOLINT: implicit
  ~ScopedForwardHook() { handle_.remove(); }
  ScopedForwardHook(ScopedForwardHook&& other) noexcept
      : handle_(std::exchange(other.handle_, {})) {}
  ScopedForwardHook& operator=(ScopedForwardHook&& other) noexcept {
    if (this != &other) {
      handle_.remove();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ScopedForwardHook(const ScopedForwardHook&) = delete;
  ScopedForwardHook& operator=(const ScopedForwardHook&) = delete;

  void remove() { handle_.remove(); }
  // Gives up ownership: the hook stays registered.
  ForwardHookHandle release() { return std::exchange(handle_, {}); }

 private:
  ForwardHookHandle handle_;
};

}  // namespace camlab::nn
