#include "experiments/explain/class_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <numeric>

#include "tensor/error.h"

namespace camlab::experiments {

std::vector<std::string> read_class_names(const std::filesystem::path& path) {
  std::ifstream in(path);
  CAMLAB_CHECK(in.good(), "--labels {}: file not found; expected one class name per line",
               path.string());
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    line.erase(line.find_last_not_of(" \t\r") + 1);
    names.push_back(line);
  }
  while (!names.empty() && names.back().empty()) names.pop_back();
  CAMLAB_CHECK(!names.empty(), "--labels {}: holds no class names; expected one per line",
               path.string());
  return names;
}

int64_t class_index(const std::string& text, const std::vector<std::string>& names,
                    int64_t classes) {
  auto named = std::find(names.begin(), names.end(), text);
  if (named != names.end()) return named - names.begin();
  int64_t index = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec == std::errc() && end == text.data() + text.size()) {
    CAMLAB_CHECK(index >= 0 && index < classes, "class {} is out of range 0..{}", index,
                 classes - 1);
    return index;
  }
  std::vector<std::string> near;
  for (const std::string& name : names) {
    if (near.size() < 5 && name.find(text) != std::string::npos) near.push_back(name);
  }
  fail("class '{}' is neither a class index 0..{} nor a class name{}", text, classes - 1,
       near.empty()
           ? std::string(names.empty() ? " (no class names are loaded: give --labels)" : "")
           : fmt::format("; names containing it: {}", fmt::join(near, ", ")));
}

std::string class_name(int64_t k, const std::vector<std::string>& names) {
  return k >= 0 && k < static_cast<int64_t>(names.size()) ? names[k] : fmt::format("class {}", k);
}

std::vector<ClassScore> top_classes(const Tensor& probabilities, int64_t k) {
  CAMLAB_CHECK(probabilities.dim() == 1, "top_classes: expected probabilities [K], got {}",
               shape_str(probabilities.shape()));
  const Tensor p = probabilities.to(Device::cpu()).contiguous();
  std::vector<int64_t> order(p.numel());
  std::iota(order.begin(), order.end(), 0);
  const float* values = p.data<float>();
  k = std::min<int64_t>(k, p.numel());
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
    return values[a] > values[b] || (values[a] == values[b] && a < b);
  });
  std::vector<ClassScore> top;
  for (int64_t i = 0; i < k; ++i) top.push_back({order[i], values[order[i]]});
  return top;
}

}  // namespace camlab::experiments
