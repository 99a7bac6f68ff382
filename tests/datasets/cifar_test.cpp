// CIFAR-10 binary batches: round trip, the train/test layout, truncation.
#include "datasets/cifar.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

using test::expect_error;
using test::TempDir;

// n records whose pixels encode (record, byte) so any mix-up shows.
ImageDataset pattern(int64_t n, int64_t offset) {
  ImageDataset d;
  d.images = Tensor::empty({n, 3, 32, 32}, DType::UInt8);  // [n, 3, 32, 32]
  d.labels = Tensor::empty({n}, DType::Int64);             // [n]
  for (int64_t i = 0; i < d.images.numel(); ++i) {
    d.images.data<uint8_t>()[i] = static_cast<uint8_t>((i * 31 + offset) % 251);
  }
  for (int64_t i = 0; i < n; ++i) d.labels.data<int64_t>()[i] = (i + offset) % 10;
  return d;
}

bool same(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

TEST(Cifar, BatchRoundTrip) {
  TempDir dir;
  const ImageDataset want = pattern(5, 0);
  const std::string path = dir.file("test_batch.bin");
  write_cifar_batch(path, want.images, want.labels);
  EXPECT_EQ(std::filesystem::file_size(path), 5u * 3073u);
  const ImageDataset got = read_cifar_batch(path);
  EXPECT_TRUE(same(got.images, want.images));
  EXPECT_TRUE(same(got.labels, want.labels));
  EXPECT_EQ(got.class_names[0], "airplane");
}

TEST(Cifar, TrainSplitConcatenatesFiveBatchesAndReadsMeta) {
  TempDir dir;
  const std::filesystem::path folder = dir.path() / "cifar-10-batches-bin";
  std::filesystem::create_directory(folder);
  for (int b = 1; b <= 5; ++b) {
    const ImageDataset part = pattern(2, b);
    write_cifar_batch((folder / ("data_batch_" + std::to_string(b) + ".bin")).string(), part.images,
                      part.labels);
  }
  std::ofstream(folder / "batches.meta.txt") << "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n";
  const ImageDataset d = load_cifar10(dir.path().string(), "train");
  EXPECT_EQ(d.images.shape(), (Shape{10, 3, 32, 32}));
  EXPECT_EQ(d.class_names.size(), 10u);
  EXPECT_EQ(d.class_names[9], "j");
  // Items 8 and 9 are batch 5's.
  EXPECT_TRUE(same(d.images.narrow(0, 8, 2).contiguous(), pattern(2, 5).images));
  EXPECT_EQ(d.labels.data<int64_t>()[8], 5);
  expect_error([&] { load_cifar10(dir.path().string(), "test"); },
               {"test_batch.bin not found", "cifar-10-binary.tar.gz"});
}

TEST(Cifar, TruncatedBatchNamesTheRecordSize) {
  TempDir dir;
  const ImageDataset want = pattern(3, 0);
  const std::string path = dir.file("data_batch_1.bin");
  write_cifar_batch(path, want.images, want.labels);
  std::filesystem::resize_file(path, 3 * 3073 - 100);
  expect_error(
      [&] { read_cifar_batch(path); },
      {"file " + path + " is truncated", "3073-byte records", "last record has 2973 bytes"});
}

TEST(Cifar, LabelOutOfRange) {
  TempDir dir;
  const std::string path = dir.file("bad.bin");
  std::vector<char> record(3073, 0);
  record[0] = 12;
  std::ofstream(path, std::ios::binary).write(record.data(), 3073);
  expect_error([&] { read_cifar_batch(path); }, {path, "label 12", "0..9"});
}

}  // namespace
}  // namespace camlab::datasets
