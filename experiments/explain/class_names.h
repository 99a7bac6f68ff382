// Class names for captions and printed predictions, and the top-k classes of a prediction.
//
//   std::vector<std::string> names = read_class_names("experiments/labels/imagenet1k.txt");
//   int64_t k = class_index("tiger cat", names);          // 282
//   for (ClassScore s : top_classes(probs.select(0, i), 5)) fmt::print("{} {:.3f}", ...);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlab::experiments {

// One name per line, line k naming class k; trailing whitespace and a final empty line are
// ignored. An Error names the file when it is missing or holds no names.
std::vector<std::string> read_class_names(const std::filesystem::path& path);

// The index of `text` among `names` (exact match), or its value as an integer 0 <= k < classes.
// Anything else is an Error listing up to five names that contain `text`.
int64_t class_index(const std::string& text, const std::vector<std::string>& names,
                    int64_t classes);

// names[k], or "class k" when there is no such name.
std::string class_name(int64_t k, const std::vector<std::string>& names);

struct ClassScore {
  int64_t index = 0;
  double probability = 0.0;
};

// The k most probable classes of probabilities [K] (CPU, float32), most probable first; ties go to
// the lower index.
std::vector<ClassScore> top_classes(const Tensor& probabilities, int64_t k);

}  // namespace camlab::experiments
