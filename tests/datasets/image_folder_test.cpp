// Image folders of PNGs: deterministic order, gray/RGB/RGBA, and the size check.
#include "datasets/image_folder.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstring>
#include <fstream>

#include "datasets/png_io.h"
#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

using test::expect_error;
using test::TempDir;

// A w x h image with `channels` interleaved channels whose bytes encode (seed, position).
Image8 pattern(int64_t w, int64_t h, int64_t channels, int seed) {
  Image8 img{w, h, channels, {}};
  for (int64_t i = 0; i < w * h * channels; ++i) {
    img.pixels.push_back(static_cast<uint8_t>((i * 13 + seed * 50) % 256));
  }
  return img;
}

void write_rgba(const std::string& path, int64_t w, int64_t h, const std::vector<uint8_t>& rgba) {
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(w);
  image.height = static_cast<png_uint_32>(h);
  image.format = PNG_FORMAT_RGBA;
  ASSERT_NE(png_image_write_to_file(&image, path.c_str(), 0, rgba.data(), 0, nullptr), 0);
}

// Pixel (x, y, c) of item i in an [N, C, H, W] uint8 tensor.
uint8_t at(const Tensor& images, int64_t i, int64_t c, int64_t y, int64_t x) {
  return images.at<uint8_t>({i, c, y, x});
}

TEST(ImageFolder, GrayRoundTripInSortedOrder) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "zebra");
  std::filesystem::create_directories(dir.path() / "ant");
  std::filesystem::create_directories(dir.path() / "empty");  // no PNGs: not a class
  write_png((dir.path() / "zebra" / "2.png").string(), pattern(6, 4, 1, 2));
  write_png((dir.path() / "zebra" / "10.png").string(), pattern(6, 4, 1, 10));
  write_png((dir.path() / "ant" / "b.png").string(), pattern(6, 4, 1, 5));
  std::ofstream(dir.path() / "ant" / "notes.txt") << "ignored";
  const ImageDataset d = load_image_folder(dir.path().string());
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"ant", "zebra"}));
  ASSERT_EQ(d.images.shape(), (Shape{3, 1, 4, 6}));
  EXPECT_EQ(d.labels.at<int64_t>({0}), 0);
  EXPECT_EQ(d.labels.at<int64_t>({1}), 1);
  // Name order: "10.png" before "2.png".
  const Image8 ten = pattern(6, 4, 1, 10), two = pattern(6, 4, 1, 2);
  for (int64_t y = 0; y < 4; ++y) {
    for (int64_t x = 0; x < 6; ++x) {
      EXPECT_EQ(at(d.images, 1, 0, y, x), ten.pixels[y * 6 + x]);
      EXPECT_EQ(at(d.images, 2, 0, y, x), two.pixels[y * 6 + x]);
    }
  }
}

TEST(ImageFolder, RgbaBecomesRgbAndGrayIsPromoted) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "a");
  const Image8 rgb = pattern(3, 2, 3, 1);
  std::vector<uint8_t> rgba;
  for (int64_t p = 0; p < 6; ++p) {
    rgba.insert(rgba.end(), {rgb.pixels[p * 3], rgb.pixels[p * 3 + 1], rgb.pixels[p * 3 + 2], 255});
  }
  write_rgba((dir.path() / "a" / "0.png").string(), 3, 2, rgba);
  const Image8 gray = pattern(3, 2, 1, 4);
  write_png((dir.path() / "a" / "1.png").string(), gray);
  const ImageDataset d = load_image_folder(dir.path().string());
  ASSERT_EQ(d.images.shape(), (Shape{2, 3, 2, 3}));
  for (int64_t y = 0; y < 2; ++y) {
    for (int64_t x = 0; x < 3; ++x) {
      for (int64_t c = 0; c < 3; ++c) {
        EXPECT_EQ(at(d.images, 0, c, y, x), rgb.pixels[(y * 3 + x) * 3 + c]);  // opaque: exact
        EXPECT_EQ(at(d.images, 1, c, y, x), gray.pixels[y * 3 + x]);
      }
    }
  }
}

TEST(ImageFolder, SizeMismatchNamesTheFirstFileThatDiffers) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "a");
  std::filesystem::create_directories(dir.path() / "b");
  write_png((dir.path() / "a" / "0.png").string(), pattern(8, 8, 1, 0));
  write_png((dir.path() / "b" / "0.png").string(), pattern(8, 8, 1, 1));
  write_png((dir.path() / "b" / "1.png").string(), pattern(8, 7, 1, 2));
  write_png((dir.path() / "b" / "2.png").string(), pattern(9, 9, 1, 3));
  expect_error([&] { load_image_folder(dir.path().string()); },
               {(dir.path() / "b" / "1.png").string() + " is 8x7",
                (dir.path() / "a" / "0.png").string() + " is 8x8", "same size"});
}

TEST(ImageFolder, EmptyOrMissingFolder) {
  TempDir dir;
  expect_error([&] { load_image_folder(dir.path().string()); }, {"has no PNG files"});
  expect_error([&] { load_image_folder(dir.file("nope")); }, {"not found", "one subfolder"});
  const std::string fake = dir.file("fake.png");
  std::ofstream(fake) << "not a png";
  expect_error([&] { read_png(fake); }, {fake, "not a PNG file"});
}

}  // namespace
}  // namespace camlab::datasets
