// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from the Debian package dataset-fashion-mnist.
//
//   ImageDataset train = load_fashion_mnist();                       // uint8 [60000, 1, 28, 28]
//   ImageDataset test = load_fashion_mnist(fashion_mnist_dir(), "test");  // [10000, 1, 28, 28]
//   test.class_names[9];                                              // "Ankle boot"
//
// The package installs train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz; unzipped copies are accepted too.
#pragma once

#include <string>
#include <vector>

#include "datasets/image_dataset.h"

namespace camlab::datasets {

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// $CAMLAB_FASHION_MNIST_DIR when set, else kFashionMnistDir.
std::string fashion_mnist_dir();

const std::vector<std::string>& fashion_mnist_classes();

// split: "train" or "test". Errors name the path tried and how to install the package.
ImageDataset load_fashion_mnist(const std::string& dir = fashion_mnist_dir(),
                                const std::string& split = "train");

}  // namespace camlab::datasets
