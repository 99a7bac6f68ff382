// The ImageNet preprocessing recipe against torchvision 0.14: Resize(antialias=True),
// CenterCrop, Normalize (tests/fixtures/photo_preprocess.h5, tools/make_image_fixtures.py).
#include "datasets/photo_preprocess.h"

#include <gtest/gtest.h>

#include <cmath>

#include "datasets/resize_antialias.h"
#include "tensor/ops.h"
#include "tests/datasets/temp_dir.h"
#include "tests/support/fixture.h"

namespace camlab::datasets {
namespace {

Image8 photo_of(const camlab::test::Array& a) {  // a: uint8 [H, W, C]
  Image8 image{a.shape[1], a.shape[0], a.shape[2], {}};
  for (double v : a.values) image.pixels.push_back(static_cast<uint8_t>(v));
  return image;
}

// The largest |got - want|, with the first index over `tolerance` reported by the caller.
double max_difference(const Tensor& got, const camlab::test::Array& want, int64_t* first_over,
                      double tolerance) {
  EXPECT_EQ(got.shape(), Shape(want.shape));
  const Tensor g = got.contiguous();
  double worst = 0.0;
  *first_over = -1;
  for (int64_t i = 0; i < want.numel() && i < g.numel(); ++i) {
    const double d = std::abs(static_cast<double>(g.data<float>()[i]) - want.values[i]);
    if (d > tolerance && *first_over < 0) *first_over = i;
    worst = std::max(worst, d);
  }
  return worst;
}

TEST(PhotoPreprocess, ResizeMatchesTorchvisionAntialias) {
  camlab::test::Fixture f("photo_preprocess.h5");
  ASSERT_EQ(f.cases().size(), 3u);
  for (const std::string& c : f.cases()) {
    const Image8 photo = photo_of(f.array(c + "/photo"));
    const camlab::test::Array want = f.array(c + "/resized");  // [C, h, w]
    PhotoPreprocess keep_all{.resize = f.ints(c, "resize")[0],
                             .crop = 0,
                             .channels = photo.channels,
                             .mean = {0.0},
                             .std = {1.0}};
    const Tensor got = prepare_photo(photo, keep_all, c).input;
    int64_t first = -1;
    const double worst = max_difference(got, want, &first, 2e-6);
    EXPECT_LT(worst, 2e-6) << c << ": first differing value at " << first;
  }
}

TEST(PhotoPreprocess, RecipeMatchesTorchvisionCropAndNormalize) {
  camlab::test::Fixture f("photo_preprocess.h5");
  for (const std::string& c : f.cases()) {
    const Image8 photo = photo_of(f.array(c + "/photo"));
    PhotoPreprocess recipe{.resize = f.ints(c, "resize")[0],
                           .crop = f.ints(c, "crop")[0],
                           .channels = photo.channels,
                           .mean = f.array(c + "/mean").values,
                           .std = f.array(c + "/std").values};
    const PreparedPhoto p = prepare_photo(photo, recipe, c);
    int64_t first = -1;
    const double worst = max_difference(p.input, f.array(c + "/input"), &first, 1e-5);
    EXPECT_LT(worst, 1e-5) << c << ": first differing value at " << first;
  }
}

// Shrinking a constant image keeps it constant only when the weights sum to one everywhere.
TEST(PhotoPreprocess, ResizeWeightsSumToOne) {
  Tensor flat = ops::full({2, 37, 53}, 0.25);
  Tensor small = resize_antialias(flat, 5, 11);
  ASSERT_EQ(small.shape(), (Shape{2, 5, 11}));
  for (int64_t i = 0; i < small.numel(); ++i) EXPECT_NEAR(small.data<float>()[i], 0.25f, 1e-7);
}

// The crop box maps the 224 x 224 input back onto the photo: a 500 x 375 photo is resized to
// 341 x 256 (int(256 * 500 / 375)), and the crop starts round(117 / 2) = 58 (half to even) pixels
// in from the left, 16 from the top; each axis scales back by its own ratio.
TEST(PhotoPreprocess, CropBoxIsInPhotoPixels) {
  Image8 photo{500, 375, 3, std::vector<uint8_t>(500 * 375 * 3, 128)};
  const PreparedPhoto p = prepare_photo(photo, PhotoPreprocess{}, "photo.jpg");
  EXPECT_EQ(p.input.shape(), (Shape{3, 224, 224}));
  const double sx = 500.0 / 341.0, sy = 375.0 / 256.0;
  EXPECT_NEAR(p.crop_box.x0, 58 * sx, 1e-9);
  EXPECT_NEAR(p.crop_box.x1, (58 + 224) * sx, 1e-9);
  EXPECT_NEAR(p.crop_box.y0, 16 * sy, 1e-9);
  EXPECT_NEAR(p.crop_box.y1, 240 * sy, 1e-9);
  // 128/255 normalized with ImageNet's red mean and std.
  EXPECT_NEAR(p.input.data<float>()[0], (128.0 / 255.0 - 0.485) / 0.229, 1e-5);
}

TEST(PhotoPreprocess, CropLargerThanThePhotoNamesIt) {
  Image8 photo{20, 10, 3, std::vector<uint8_t>(600, 0)};
  test::expect_error([&] { prepare_photo(photo, {.resize = 0, .crop = 16}, "tiny.png"); },
                     {"tiny.png", "larger than the photo"});
}

}  // namespace
}  // namespace camlab::datasets
