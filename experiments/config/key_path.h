// Dotted value paths as errors print them and --set accepts them.
//
//   split_path("model.layers[2].out");   // {"model"}, {"layers"}, {index 2}, {"out"}
//   split_path("model.layers.2.out");    // the same
//   path_text(parts);                    // "model.layers[2].out"
//   child_path("train", "epochs");       // "train.epochs";  item_path("model.layers", 2) -> "[2]"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace camlab::experiments {

struct PathPart {
  std::string key;     // empty for an array index
  int64_t index = -1;  // ≥ 0 for an array index
  bool is_index() const { return index >= 0; }
};

// Empty components ("a..b", trailing '.') give an empty result.
std::vector<PathPart> split_path(std::string_view text);
std::string path_text(const std::vector<PathPart>& parts);
std::string child_path(std::string_view parent, std::string_view key);
std::string item_path(std::string_view array, size_t index);
// The path above `path` ("" for a section) and the last key.
std::string parent_path(std::string_view path);
std::string leaf_key(std::string_view path);

}  // namespace camlab::experiments
