// NamedTensors: an insertion-ordered map from dotted names to tensors — what state_dict() returns,
// what optimizers export and what checkpoints store.
//
//   NamedTensors state = model.state_dict();        // "conv1.weight", "bn1.running_mean", ...
//   for (const auto& [name, tensor] : state) fmt::print("{} {}\n", name,
//   shape_str(tensor.shape())); if (const Tensor* w = state.find("fc.weight")) { ... }
//   state.insert("fc.bias", ops::zeros({10}));     // replaces an existing entry in place
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::nn {

class NamedTensors {
 public:
  using Entry = std::pair<std::string, Tensor>;

  // Adds `name`, or replaces its tensor keeping its position.
  void insert(const std::string& name, Tensor tensor);
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const Tensor* find(std::string_view name) const;
  // The tensor under `name`; an Error listing the keys when absent (`what` names the caller).
  const Tensor& at(std::string_view name, std::string_view what = "NamedTensors") const;
  // Removes `name` if present; returns whether it was.
  bool erase(std::string_view name);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::vector<std::string> keys() const;
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> index_;  // name -> position in entries_
};

// "a, b, c" — for error messages that list the valid names; long lists are cut after `limit`.
std::string join_names(const std::vector<std::string>& names, size_t limit = 40);

}  // namespace camlab::nn
