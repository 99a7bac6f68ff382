// Fashion-MNIST from the Debian package, and the error when it is missing.
#include "datasets/fashion_mnist.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

bool installed() { return std::filesystem::exists(kFashionMnistDir); }

TEST(FashionMnist, TestSplitHasShapesNamesAndBalancedClasses) {
  if (!installed())
    GTEST_SKIP() << kFashionMnistDir << " absent (apt-get install dataset-fashion-mnist)";
  const ImageDataset d = load_fashion_mnist(kFashionMnistDir, "test");
  EXPECT_EQ(d.images.shape(), (Shape{10000, 1, 28, 28}));
  EXPECT_EQ(d.images.dtype(), DType::UInt8);
  EXPECT_EQ(d.labels.shape(), (Shape{10000}));
  EXPECT_EQ(d.num_classes(), 10);
  EXPECT_EQ(d.class_names[0], "T-shirt/top");
  EXPECT_EQ(d.class_names[9], "Ankle boot");
  std::vector<int64_t> histogram(10, 0);
  for (int64_t i = 0; i < d.size(); ++i) ++histogram[d.labels.data<int64_t>()[i]];
  for (int64_t k = 0; k < 10; ++k) EXPECT_EQ(histogram[k], 1000) << "class " << k;
  // Real pictures, not blank: the mean pixel of Fashion-MNIST is about 0.286 * 255.
  double sum = 0;
  for (int64_t i = 0; i < d.images.numel(); ++i) sum += d.images.data<uint8_t>()[i];
  EXPECT_NEAR(sum / static_cast<double>(d.images.numel()) / 255.0, 0.286, 0.01);
}

TEST(FashionMnist, TrainSplitShape) {
  if (!installed()) GTEST_SKIP() << kFashionMnistDir << " absent";
  const ImageDataset d = load_fashion_mnist(kFashionMnistDir, "train");
  EXPECT_EQ(d.images.shape(), (Shape{60000, 1, 28, 28}));
  EXPECT_EQ(d.labels.shape(), (Shape{60000}));
  EXPECT_EQ(d.name, "fashion-mnist-train");
}

TEST(FashionMnist, MissingDatasetSaysWhereAndHowToInstall) {
  test::TempDir empty;
  test::expect_error([&] { load_fashion_mnist(empty.path().string(), "train"); },
                     {(empty.path() / "train-images-idx3-ubyte.gz").string(), "not found",
                      "apt-get install dataset-fashion-mnist", "scripts/bootstrap.sh"});
  test::expect_error([&] { load_fashion_mnist(empty.path().string(), "validation"); },
                     {"unknown split 'validation'", "\"train\" and \"test\""});
}

}  // namespace
}  // namespace camlab::datasets
