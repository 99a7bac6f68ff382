// IDX reader and writer: round trips through temp files and the one-line errors.
#include "datasets/idx.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "tensor/generator.h"
#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

using test::expect_error;
using test::TempDir;

Tensor random_images(int64_t n, int64_t h, int64_t w, uint64_t seed) {
  Generator gen(seed);
  Tensor t = Tensor::empty({n, 1, h, w}, DType::UInt8);  // [N, 1, H, W]
  for (int64_t i = 0; i < t.numel(); ++i) t.data<uint8_t>()[i] = gen.integer(0, 256);
  return t;
}

Tensor labels_0_to_9(int64_t n) {
  Tensor t = Tensor::empty({n}, DType::Int64);  // [N]
  for (int64_t i = 0; i < n; ++i) t.data<int64_t>()[i] = (i * 7) % 10;
  return t;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

std::string first_two_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(2, '\0');
  in.read(head.data(), 2);
  return head;
}

TEST(Idx, RoundTripPlainAndGzip) {
  TempDir dir;
  const Tensor images = random_images(7, 5, 4, 1);
  const Tensor labels = labels_0_to_9(7);
  for (const std::string suffix : {"", ".gz"}) {
    const std::string xi = dir.file("images.idx" + suffix), yi = dir.file("labels.idx" + suffix);
    write_idx_images(xi, images);
    write_idx_labels(yi, labels);
    EXPECT_EQ(first_two_bytes(xi) == "\x1f\x8b", suffix == ".gz") << xi;
    const Tensor x = read_idx_images(xi);
    EXPECT_EQ(x.shape(), (Shape{7, 1, 5, 4}));
    EXPECT_TRUE(same_bytes(x, images));
    EXPECT_TRUE(same_bytes(read_idx_labels(yi), labels));
    const ImageDataset d = load_idx_pair(xi, yi, {}, "pair");
    EXPECT_EQ(d.size(), 7);
    EXPECT_EQ(d.num_classes(), 9);  // unnamed: the largest label (8) + 1
  }
}

TEST(Idx, TruncatedPlainFileSaysHowManyBytesAreMissing) {
  TempDir dir;
  const std::string path = dir.file("images.idx");
  write_idx_images(path, random_images(7, 5, 4, 2));  // 16 header + 140 pixel bytes
  std::filesystem::resize_file(path, 16 + 100);
  expect_error([&] { read_idx_images(path); },
               {"file " + path + " is truncated: expected 140 bytes of pixel data, got 100"});
  std::filesystem::resize_file(path, 10);
  expect_error([&] { read_idx_images(path); }, {path, "truncated", "header needs 16 bytes"});
}

TEST(Idx, TruncatedGzipStreamIsReportedAsTruncated) {
  TempDir dir;
  const std::string path = dir.file("images.idx.gz");
  write_idx_images(path, random_images(40, 28, 28, 3));  // random bytes hardly compress
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  expect_error([&] { read_idx_images(path); },
               {"file " + path + " is truncated: expected 31360 bytes of pixel data, got "});
}

TEST(Idx, WrongMagicNumberNamesBothNumbers) {
  TempDir dir;
  const std::string labels = dir.file("labels.idx");
  write_idx_labels(labels, labels_0_to_9(5));
  expect_error([&] { read_idx_images(labels); },
               {labels, "magic number 0x00000801, expected 0x00000803", "swapped"});
  const std::string junk = dir.file("junk.idx");
  std::ofstream(junk) << "hello, this is not an IDX file";
  expect_error([&] { read_idx_labels(junk); }, {junk, "expected 0x00000801"});
}

TEST(Idx, CorruptGzipDataIsReported) {
  TempDir dir;
  const std::string path = dir.file("images.idx.gz");
  Tensor images = Tensor::empty({50, 1, 28, 28}, DType::UInt8);
  for (int64_t i = 0; i < images.numel(); ++i) images.data<uint8_t>()[i] = (i / 28) % 7;
  write_idx_images(path, images);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path) / 2));
  const char garbage[16] = {'\x55', '\x13', '\x7f', '\x00', '\xff', '\x42', '\x99', '\x01',
                            '\x55', '\x13', '\x7f', '\x00', '\xff', '\x42', '\x99', '\x01'};
  f.write(garbage, sizeof(garbage));
  f.close();
  expect_error([&] { read_idx_images(path); }, {"file " + path + " has corrupt gzip data"});
}

TEST(Idx, ImageAndLabelCountsMustAgree) {
  TempDir dir;
  write_idx_images(dir.file("x.idx"), random_images(6, 3, 3, 4));
  write_idx_labels(dir.file("y.idx"), labels_0_to_9(5));
  expect_error([&] { load_idx_pair(dir.file("x.idx"), dir.file("y.idx"), {}, "pair"); },
               {"has 6 images", "has 5 labels", "one label per image"});
}

TEST(Idx, MissingFileIsNamed) {
  expect_error([] { read_idx_images("/nonexistent/train-images-idx3-ubyte.gz"); },
               {"/nonexistent/train-images-idx3-ubyte.gz", "not found"});
}

}  // namespace
}  // namespace camlab::datasets
