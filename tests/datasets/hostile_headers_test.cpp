// Headers that claim more than their file holds (issue 18): each is a one-line Error before any
// allocation. The inputs are the fuzz corpus's regression files (fuzz/make_seeds.py).
#include <gtest/gtest.h>

#include "datasets/data_loader.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/idx.h"
#include "datasets/png_io.h"
#include "tensor/ops.h"
#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

using test::expect_error;

std::string corpus(const std::string& name) {
  return std::string(CAMLAB_SOURCE_DIR) + "/fuzz/corpus/" + name;
}

TEST(HostileHeaders, IdxDimsWhoseProductPasses2To64AreCaughtNotWrapped) {
  const std::string path = corpus("idx/overflow-header");
  expect_error([&] { read_idx_images(path); },
               {path, "4294967295 images of 4294967295x4294967295", "more than 2^64 bytes"});
}

TEST(HostileHeaders, IdxBillionImagesInAFewBytesIsTruncated) {
  const std::string path = corpus("idx/billion-images");
  expect_error([&] { read_idx_images(path); }, {path, "truncated", "784000000000"});
}

TEST(HostileHeaders, Hdf5ClaimOf10To12ImagesIsRefusedBeforeAllocating) {
  const std::string path = corpus("hdf5_dataset/claims-1e12-images.h5");
  expect_error([&] { read_hdf5_dataset(path); }, {path, "/images", "claims 784000000000000"});
}

TEST(HostileHeaders, PngOf100000x100000InAHundredBytesIsRefused) {
  const std::string path = corpus("png/claims-100000x100000.png");
  expect_error([&] { read_png(path); }, {path, "100000x100000 pixels is over the limit"});
}

TEST(HostileHeaders, NanPixelIsReportedWithItsImageIndex) {
  const std::string path = corpus("hdf5_dataset/nan-pixel.h5");
  expect_error([&] { read_hdf5_dataset(path); }, {path, "image 1 holds nan", "y 2, x 3"});
}

TEST(HostileHeaders, BatchLargerThanTheDataIsOneShortBatch) {
  ImageDataset data;
  data.name = "four";
  data.images = ops::zeros({4, 1, 2, 2}, DType::UInt8);  // [4, 1, 2, 2]
  data.labels = ops::zeros({4}, DType::Int64);           // [4]
  for (int64_t batch_size : {int64_t{5}, int64_t{99999999999}, INT64_MAX}) {
    DataLoader loader(data, {.batch_size = batch_size, .prefetch = 0});
    ASSERT_EQ(loader.num_batches(), 1) << batch_size;
    loader.start_epoch(0);
    const std::optional<Batch> batch = loader.next();
    ASSERT_TRUE(batch.has_value());
    EXPECT_EQ(batch->images.shape(), (Shape{4, 1, 2, 2}));
    EXPECT_FALSE(loader.next().has_value());
  }
  DataLoader dropping(data, {.batch_size = INT64_MAX, .drop_last = true, .prefetch = 0});
  EXPECT_EQ(dropping.num_batches(), 0);  // PyTorch: drop_last with a batch above N gives none
}

}  // namespace
}  // namespace camlab::datasets
