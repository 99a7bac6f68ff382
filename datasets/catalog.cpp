#include "datasets/catalog.h"

#include <filesystem>

#include "datasets/cifar.h"
#include "datasets/fashion_mnist.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/image_folder.h"
#include "datasets/seeding.h"
#include "datasets/shapes.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

constexpr uint64_t kTestSplitStream = 0x5445'5354'5350'4c54ull;  // "TESTSPLT"

std::string require_path(const DatasetRequest& r, const char* what) {
  CAMLAB_CHECK(!r.path.empty(), "dataset '{}': needs a path ({}); set [data] path", r.name, what);
  return r.path;
}

std::string replace_split(std::string path, const std::string& split) {
  const size_t at = path.find("{split}");
  if (at != std::string::npos) path.replace(at, 7, split);
  return path;
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names{"fashion-mnist", "shapes", "cifar10", "hdf5",
                                              "folder"};
  return names;
}

ImageDataset load_dataset(const DatasetRequest& r) {
  CAMLAB_CHECK(r.split == "train" || r.split == "test",
               "dataset '{}': unknown split '{}'; valid splits are \"train\" and \"test\"", r.name,
               r.split);
  if (r.name == "fashion-mnist") {
    return load_fashion_mnist(r.path.empty() ? fashion_mnist_dir() : r.path, r.split);
  }
  if (r.name == "shapes") {
    const bool train = r.split == "train";
    ImageDataset d = make_shapes({.n = r.n > 0 ? r.n : (train ? 10000 : 2000),
                                  .size = r.size,
                                  .seed = train ? r.seed : derive_seed(r.seed, kTestSplitStream),
                                  .channels = r.channels});
    d.name = "shapes-" + r.split;
    return d;
  }
  if (r.name == "cifar10") {
    return load_cifar10(require_path(r, "the cifar-10-batches-bin folder"), r.split);
  }
  if (r.name == "hdf5") {
    return read_hdf5_dataset(
        replace_split(require_path(r, "an .h5 file, may contain {split}"), r.split));
  }
  if (r.name == "folder") {
    const std::filesystem::path root = require_path(r, "a folder of class subfolders");
    const std::filesystem::path split_root = root / r.split;
    return load_image_folder(std::filesystem::is_directory(split_root) ? split_root.string()
                                                                       : root.string());
  }
  fail("dataset '{}' is unknown; valid: fashion-mnist, shapes, cifar10, hdf5, folder", r.name);
}

}  // namespace camlab::datasets
