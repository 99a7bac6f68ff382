// Photo decoding against PIL: JPEG and PNG, grey, RGB, RGBA, palette, every EXIF orientation,
// and one-line errors for truncated, oversized and foreign files.
#include "datasets/image_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "datasets/exif_orientation.h"
#include "datasets/jpeg_io.h"
#include "datasets/png_io.h"
#include "tests/datasets/temp_dir.h"
#include "tests/support/fixture.h"

namespace camlab::datasets {
namespace {

using test::expect_error;

const std::string kImages = std::string(CAMLAB_FIXTURE_DIR) + "/images/";

// Every decodable fixture file equals what PIL shows after exif_transpose and convert("RGB"/"L").
TEST(ImageFile, EveryFixtureMatchesPil) {
  camlab::test::Fixture f("images.h5");
  ASSERT_GE(f.cases().size(), 15u);
  for (const std::string& c : f.cases()) {
    const std::string file = f.text(c, "file");
    const camlab::test::Array want = f.array(c + "/pixels");  // [H, W, C]
    const Image8 got = read_image(kImages + file);
    ASSERT_EQ((std::vector<int64_t>{got.height, got.width, got.channels}), want.shape) << file;
    int64_t differing = 0, first = -1;
    for (int64_t i = 0; i < want.numel(); ++i) {
      if (got.pixels[i] != want.values[i]) {
        differing += 1;
        if (first < 0) first = i;
      }
    }
    EXPECT_EQ(differing, 0) << file << ": first difference at byte " << first << ": "
                            << int{got.pixels[first < 0 ? 0 : first]} << " vs PIL "
                            << want.values[first < 0 ? 0 : first];
  }
}

TEST(ImageFile, GreyStaysOneChannelAndAlphaIsDropped) {
  EXPECT_EQ(read_image(kImages + "gray.jpg").channels, 1);
  EXPECT_EQ(read_image(kImages + "gray.png").channels, 1);
  EXPECT_EQ(read_image(kImages + "gray_alpha.png").channels, 1);
  // rgba.png holds rgb.png's colours under a varying alpha: dropping it gives rgb.png exactly.
  EXPECT_EQ(read_image(kImages + "rgba.png").pixels, read_image(kImages + "rgb.png").pixels);
}

TEST(ImageFile, ExifOrientationTurnsThePhotoUpright) {
  const Image8 stored = read_image(kImages + "exif_1.jpg");  // 12 x 8
  for (int orientation = 1; orientation <= 8; ++orientation) {
    const Image8 shown = read_image(kImages + "exif_" + std::to_string(orientation) + ".jpg");
    EXPECT_EQ(shown.width, orientation >= 5 ? 8 : 12) << orientation;
    EXPECT_EQ(shown.pixels, apply_orientation(stored, orientation).pixels) << orientation;
  }
}

// Rotating 90° clockwise (6) puts the stored bottom-left pixel at the top-left.
TEST(ImageFile, OrientationSixIsAClockwiseTurn) {
  const Image8 stored{3, 2, 1, {1, 2, 3, 4, 5, 6}};  // rows 1 2 3 / 4 5 6
  const Image8 turned = apply_orientation(stored, 6);
  EXPECT_EQ(turned.width, 2);
  EXPECT_EQ(turned.pixels, (std::vector<uint8_t>{4, 1, 5, 2, 6, 3}));
}

TEST(ImageFile, DamagedExifReadsAsUpright) {
  std::vector<uint8_t> jpeg = {
      0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, 'E',  'x',  'i',  'f',
      0,    0,    'I',  'I',  42,   0,    0xF0, 0xFF, 0xFF, 0x7F};  // IFD0 far away
  EXPECT_EQ(exif_orientation(jpeg.data(), jpeg.size()), 1);
  jpeg[5] = 0xFF;  // a segment length past the end of the file
  EXPECT_EQ(exif_orientation(jpeg.data(), jpeg.size()), 1);
  EXPECT_EQ(exif_orientation(jpeg.data(), 3), 1);
}

TEST(ImageFile, BadFilesAreOneLineErrorsNamingThem) {
  const std::string truncated_jpg = kImages + "truncated.jpg";
  expect_error([&] { read_image(truncated_jpg); }, {truncated_jpg, "truncated or corrupt"});
  const std::string truncated_png = kImages + "truncated.png";
  expect_error([&] { read_image(truncated_png); }, {truncated_png, "read_png"});
  // 100000 x 100000 and 60000 x 60000 headers stop before the pixel buffer is allocated.
  const std::string huge_png = kImages + "huge.png";
  expect_error([&] { read_image(huge_png); }, {huge_png, "100000x100000", "over the limit"});
  const std::string huge_jpg = kImages + "huge.jpg";
  expect_error([&] { read_image(huge_jpg); }, {huge_jpg, "60000x60000", "over the limit"});
  const std::string fake = kImages + "fake.jpg";
  expect_error([&] { read_image(fake); }, {fake, "neither a JPEG nor a PNG"});
  expect_error([&] { read_jpeg(kImages + "rgb.png"); }, {"rgb.png", "not a JPEG file"});
  expect_error([&] { read_image(kImages + "missing.png"); }, {"missing.png", "not found"});
}

TEST(ImageFile, FolderListsPhotosSorted) {
  const std::vector<std::filesystem::path> files = list_image_files(kImages);
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files.front().filename(), "exif_1.jpg");
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end()));
  test::TempDir empty;
  expect_error([&] { list_image_files(empty.path()); }, {"holds no .jpg, .jpeg or .png"});
}

TEST(ImageFile, ChannelConversionFollowsPil) {
  const Image8 rgb{2, 1, 3, {255, 0, 0, 10, 200, 30}};
  // PIL: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16 -> 76 and 124.
  EXPECT_EQ(with_channels(rgb, 1).pixels, (std::vector<uint8_t>{76, 124}));
  EXPECT_EQ(with_channels(Image8{1, 1, 1, {9}}, 3).pixels, (std::vector<uint8_t>{9, 9, 9}));
}

}  // namespace
}  // namespace camlab::datasets
