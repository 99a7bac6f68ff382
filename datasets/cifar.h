// CIFAR-10 binary batches (Krizhevsky 2009, www.cs.toronto.edu/~kriz/cifar.html).
//
//   ImageDataset train = load_cifar10("data/cifar-10-batches-bin", "train");  // [50000, 3, 32, 32]
//   ImageDataset one = read_cifar_batch("data/cifar-10-batches-bin/test_batch.bin");
//   write_cifar_batch("/tmp/batch.bin", one.images, one.labels);
//
// A batch file is a run of 3073-byte records: 1 label byte (0..9), then 1024 red, 1024 green and
// 1024 blue bytes, each plane row-major 32x32.
#pragma once

#include <string>
#include <vector>

#include "datasets/image_dataset.h"

namespace camlab::datasets {

constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarRecordBytes = 1 + 3 * kCifarSide * kCifarSide;  // 3073

const std::vector<std::string>& cifar10_classes();  // airplane ... truck

// One batch file: images uint8 [n, 3, 32, 32], labels int64 [n]; class names are CIFAR-10's.
ImageDataset read_cifar_batch(const std::string& path);

// images: uint8 [n, 3, 32, 32]; labels: int64 [n] in 0..9.
void write_cifar_batch(const std::string& path, const Tensor& images, const Tensor& labels);

// split "train" (data_batch_1..5.bin) or "test" (test_batch.bin) under `dir` (or under
// dir/cifar-10-batches-bin); class names from batches.meta.txt when present.
ImageDataset load_cifar10(const std::string& dir, const std::string& split = "train");

}  // namespace camlab::datasets
