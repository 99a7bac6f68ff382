#include "datasets/fashion_mnist.h"

#include <cstdlib>
#include <filesystem>

#include "datasets/idx.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

// dir/stem.gz when present, else dir/stem, else an Error naming the path and the package.
std::string find_idx_file(const std::string& dir, const std::string& stem) {
  const std::filesystem::path gz = std::filesystem::path(dir) / (stem + ".gz");
  const std::filesystem::path plain = std::filesystem::path(dir) / stem;
  if (std::filesystem::exists(gz)) return gz.string();
  if (std::filesystem::exists(plain)) return plain.string();
  fail(
      "fashion-mnist: {} not found; install the dataset with 'apt-get install "
      "dataset-fashion-mnist' (scripts/bootstrap.sh does), set CAMLAB_FASHION_MNIST_DIR, or use "
      "the synthetic dataset \"shapes\"",
      gz.string());
}

}  // namespace

std::string fashion_mnist_dir() {
  const char* env = std::getenv("CAMLAB_FASHION_MNIST_DIR");
  return env && *env ? std::string(env) : std::string(kFashionMnistDir);
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names{"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                              "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                              "Bag",         "Ankle boot"};
  return names;
}

ImageDataset load_fashion_mnist(const std::string& dir, const std::string& split) {
  CAMLAB_CHECK(split == "train" || split == "test",
               "fashion-mnist: unknown split '{}'; valid splits are \"train\" and \"test\"", split);
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string images = find_idx_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels = find_idx_file(dir, prefix + "-labels-idx1-ubyte");
  return load_idx_pair(images, labels, fashion_mnist_classes(), "fashion-mnist-" + split);
}

}  // namespace camlab::datasets
