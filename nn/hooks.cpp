#include "nn/hooks.h"

#include <algorithm>

namespace camlab::nn {

void HookRegistry::remove(uint64_t id) {
  std::erase_if(pre_hooks, [id](const auto& entry) { return entry.first == id; });
  std::erase_if(hooks, [id](const auto& entry) { return entry.first == id; });
}

void ForwardHookHandle::remove() {
  if (auto registry = registry_.lock()) registry->remove(id_);
  registry_.reset();
}

bool ForwardHookHandle::active() const {
  auto registry = registry_.lock();
  if (!registry) return false;
  auto has = [this](const auto& list) {
    return std::any_of(list.begin(), list.end(),
                       [this](const auto& entry) { return entry.first == id_; });
  };
  return has(registry->pre_hooks) || has(registry->hooks);
}

}  // namespace camlab::nn
