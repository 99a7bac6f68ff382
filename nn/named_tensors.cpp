#include "nn/named_tensors.h"

#include <fmt/format.h>

#include "tensor/error.h"

namespace camlab::nn {

void NamedTensors::insert(const std::string& name, Tensor tensor) {
  auto it = index_.find(name);
  if (it != index_.end()) {
    entries_[it->second].second = std::move(tensor);
    return;
  }
  index_.emplace(name, entries_.size());
  entries_.emplace_back(name, std::move(tensor));
}

const Tensor* NamedTensors::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

const Tensor& NamedTensors::at(std::string_view name, std::string_view what) const {
  const Tensor* tensor = find(name);
  CAMLAB_CHECK(tensor != nullptr, "{}: no entry '{}'; present: {}", what, name, join_names(keys()));
  return *tensor;
}

bool NamedTensors::erase(std::string_view name) {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
  return true;
}

std::vector<std::string> NamedTensors::keys() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& entry : entries_) names.push_back(entry.first);
  return names;
}

std::string join_names(const std::vector<std::string>& names, size_t limit) {
  if (names.empty()) return "(none)";
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > limit) out += fmt::format(", ... ({} more)", names.size() - limit);
  return out;
}

}  // namespace camlab::nn
