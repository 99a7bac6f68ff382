// Datasets by the names configs use ([data] dataset = "fashion-mnist").
//
//   ImageDataset train = load_dataset({.name = "fashion-mnist", .split = "train"});
//   ImageDataset test = load_dataset({.name = "shapes", .split = "test", .n = 500, .seed = 1});
//   ImageDataset mine = load_dataset({.name = "hdf5", .split = "test", .path = "data/{split}.h5"});
//
// Names: fashion-mnist (path: its folder, default the Debian package's), shapes (synthetic; n,
// size, seed), cifar10 (path: the unpacked binary archive), hdf5 (path: a file; "{split}" is
// replaced by the split), folder (path: a PNG folder; path/<split> when that folder exists).
#pragma once

#include <string>
#include <vector>

#include "datasets/image_dataset.h"

namespace camlab::datasets {

struct DatasetRequest {
  std::string name;
  std::string split = "train";  // "train" or "test"
  std::string path;             // where the files are; "" for the default (fashion-mnist)
  int64_t n = 0;                // shapes: items (0: 10000 for train, 2000 for test)
  int64_t size = 32;            // shapes: image side
  uint64_t seed = 0;            // shapes: the test split uses a different stream of this seed
  int64_t channels = 1;         // shapes: 1 (grey) or 3 (a random colour per shape)
};

const std::vector<std::string>& dataset_names();

// Errors name the request and, for unknown names, list the valid ones.
ImageDataset load_dataset(const DatasetRequest& request);

}  // namespace camlab::datasets
