// IDX files (LeCun's MNIST format, also Fashion-MNIST), gzipped or plain.
//
//   Tensor x = read_idx_images("t10k-images-idx3-ubyte.gz");   // uint8 [10000, 1, 28, 28]
//   Tensor y = read_idx_labels("t10k-labels-idx1-ubyte.gz");   // int64 [10000]
//   write_idx_images("/tmp/x.idx.gz", x);                      // gzip because of ".gz"
//
// Layout (yann.lecun.com/exdb/mnist): big-endian int32 magic 0x00000803 (unsigned byte, 3 dims)
// or 0x00000801 (1 dim), one big-endian int32 per dim, then the bytes row-major.
#pragma once

#include <string>

#include "datasets/image_dataset.h"
#include "tensor/tensor.h"

namespace camlab::datasets {

constexpr uint32_t kIdxImagesMagic = 0x00000803;
constexpr uint32_t kIdxLabelsMagic = 0x00000801;

Tensor read_idx_images(const std::string& path);  // uint8 [N, 1, H, W]
Tensor read_idx_labels(const std::string& path);  // int64 [N]

// images: uint8 [N, 1, H, W] or [N, H, W]; labels: int64 [N] with values 0..255.
void write_idx_images(const std::string& path, const Tensor& images);
void write_idx_labels(const std::string& path, const Tensor& labels);

// An images file and its labels file as one dataset; counts must agree.
ImageDataset load_idx_pair(const std::string& images_path, const std::string& labels_path,
                           std::vector<std::string> class_names, std::string name);

}  // namespace camlab::datasets
