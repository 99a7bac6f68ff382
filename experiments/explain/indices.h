// `--indices`: which dataset items to explain, as a range, a list or one index.
//
//   parse_indices("0:16", 1000);    // {0, 1, ..., 15}
//   parse_indices("3,7,9", 1000);   // {3, 7, 9}
//   parse_indices("5", 1000);       // {5}
//   parse_indices("0:99999999999", 1000);   // Error: end 99999999999 is past the 1000 images
//
// Every bound is checked before a vector is filled, so no text makes it allocate more than the
// dataset has items (a range) or than the text has commas (a list).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camlab::experiments {

// "0:16", "3,7,9", "5": indices into a dataset of `dataset_size` items. Throws camlab::Error.
std::vector<int64_t> parse_indices(const std::string& text, int64_t dataset_size);

}  // namespace camlab::experiments
