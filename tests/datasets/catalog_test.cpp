// load_dataset: the names configs use.
#include "datasets/catalog.h"

#include <gtest/gtest.h>

#include <cstring>

#include "datasets/hdf5_dataset.h"
#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

TEST(Catalog, ShapesSplitsAreDifferentItems) {
  const ImageDataset train = load_dataset({.name = "shapes", .split = "train", .n = 8, .size = 16});
  const ImageDataset test = load_dataset({.name = "shapes", .split = "test", .n = 8, .size = 16});
  EXPECT_EQ(train.images.shape(), (Shape{8, 1, 16, 16}));
  EXPECT_EQ(test.name, "shapes-test");
  EXPECT_NE(0, std::memcmp(train.images.raw_data(), test.images.raw_data(), 8 * 256));
}

TEST(Catalog, Hdf5PathWithSplitPlaceholder) {
  test::TempDir dir;
  const ImageDataset want = load_dataset({.name = "shapes", .split = "test", .n = 3, .size = 8});
  write_hdf5_dataset(dir.file("test.h5"), want);
  const ImageDataset got =
      load_dataset({.name = "hdf5", .split = "test", .path = dir.file("{split}.h5")});
  EXPECT_EQ(got.size(), 3);
  test::expect_error([&] { load_dataset({.name = "hdf5"}); }, {"needs a path", "[data] path"});
}

TEST(Catalog, UnknownNameOrSplit) {
  test::expect_error([] { load_dataset({.name = "mnist"}); },
                     {"dataset 'mnist' is unknown", "fashion-mnist, shapes, cifar10"});
  test::expect_error([] { load_dataset({.name = "shapes", .split = "val"}); },
                     {"unknown split 'val'"});
}

}  // namespace
}  // namespace camlab::datasets
