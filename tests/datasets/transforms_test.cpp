// Transforms: correctness of each, determinism per (seed, epoch, index), the spec parser.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "datasets/pipeline.h"
#include "datasets/seeding.h"
#include "datasets/shapes.h"
#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

using test::expect_error;

// [C, H, W] values that differ everywhere, so any permutation of pixels shows.
std::vector<float> ramp(int64_t c, int64_t h, int64_t w) {
  std::vector<float> v(static_cast<size_t>(c * h * w));
  for (size_t i = 0; i < v.size(); ++i) v[i] = 1.0f + static_cast<float>(i);
  return v;
}

TEST(Transforms, FlipMirrorsAndTwiceIsIdentity) {
  const std::vector<float> original = ramp(2, 3, 5);
  std::vector<float> x = original;
  Generator gen(0);
  auto flip = horizontal_flip(1.0);
  flip->apply({x.data(), 2, 3, 5}, gen);
  for (int64_t c = 0; c < 2; ++c) {
    for (int64_t y = 0; y < 3; ++y) {
      for (int64_t col = 0; col < 5; ++col) {
        EXPECT_EQ(x[(c * 3 + y) * 5 + col], original[(c * 3 + y) * 5 + (4 - col)]);
      }
    }
  }
  flip->apply({x.data(), 2, 3, 5}, gen);
  EXPECT_EQ(x, original);
  horizontal_flip(0.0)->apply({x.data(), 2, 3, 5}, gen);
  EXPECT_EQ(x, original);
}

// The shift (dx, dy) with out(y, x) = in(y + dy, x + dx) (zero outside), or nullopt.
std::optional<std::pair<int64_t, int64_t>> find_shift(const std::vector<float>& in,
                                                      const std::vector<float>& out, int64_t h,
                                                      int64_t w, int64_t range) {
  for (int64_t dy = -range; dy <= range; ++dy) {
    for (int64_t dx = -range; dx <= range; ++dx) {
      bool match = true;
      for (int64_t y = 0; y < h && match; ++y) {
        for (int64_t x = 0; x < w && match; ++x) {
          const int64_t sy = y + dy, sx = x + dx;
          const float want = sy >= 0 && sy < h && sx >= 0 && sx < w ? in[sy * w + sx] : 0.0f;
          match = out[y * w + x] == want;
        }
      }
      if (match) return std::make_pair(dx, dy);
    }
  }
  return std::nullopt;
}

TEST(Transforms, RandomCropWithPaddingShiftsContent) {
  const std::vector<float> original = ramp(1, 7, 6);
  auto crop = random_crop(2);
  std::set<std::pair<int64_t, int64_t>> shifts;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::vector<float> x = original;
    Generator gen(seed);
    crop->apply({x.data(), 1, 7, 6}, gen);
    const auto shift = find_shift(original, x, 7, 6, 2);
    ASSERT_TRUE(shift.has_value()) << "seed " << seed << ": not a shift of at most 2 pixels";
    shifts.insert(*shift);
  }
  EXPECT_EQ(shifts.size(), 25u) << "all 5 x 5 offsets occur";
}

TEST(Transforms, AffineWithoutMotionIsIdentityAndKeepsABlobNearby) {
  const std::vector<float> original = ramp(1, 8, 8);
  std::vector<float> x = original;
  Generator gen(1);
  random_affine(0, 0, 0)->apply({x.data(), 1, 8, 8}, gen);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], original[i], 1e-4);
  // A centred 4x4 blob moved by at most 10% of 16 px (plus bilinear blur) and turned by 10
  // degrees keeps its mass near the centre.
  std::vector<float> blob(16 * 16, 0.0f);
  for (int64_t y = 6; y < 10; ++y)
    for (int64_t col = 6; col < 10; ++col) blob[y * 16 + col] = 1;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::vector<float> moved = blob;
    Generator g(seed);
    random_affine(10, 0.1, 0.1)->apply({moved.data(), 1, 16, 16}, g);
    double mass = 0, cx = 0;
    for (int64_t y = 0; y < 16; ++y) {
      for (int64_t col = 0; col < 16; ++col)
        mass += moved[y * 16 + col], cx += col * moved[y * 16 + col];
    }
    EXPECT_NEAR(mass, 16, 16 * 0.35) << "seed " << seed;  // scale in [0.9, 1.1]: area x0.81..1.21
    EXPECT_NEAR(cx / mass, 7.5, 2.0) << "seed " << seed;
  }
}

TEST(Transforms, NormalizeGivenAndFitted) {
  std::vector<float> x{0.5f, 1.0f, 0.0f, 0.25f};  // [2, 1, 2]
  Generator gen(0);
  normalize({0.5, 0.0}, {0.25, 0.5})->apply({x.data(), 2, 1, 2}, gen);
  EXPECT_EQ(x, (std::vector<float>{0.0f, 2.0f, 0.0f, 0.5f}));

  const ImageDataset d = make_shapes({.n = 50, .size = 16, .seed = 4, .channels = 3});
  Pipeline p = Pipeline::parse({"hflip", "normalize"});
  p.fit(d);
  double sum = 0, sum_sq = 0;
  std::vector<float> item(3 * 16 * 16);
  for (int64_t i = 0; i < d.size(); ++i) {
    for (size_t k = 0; k < item.size(); ++k) {
      item[k] = d.images.data<uint8_t>()[i * 768 + static_cast<int64_t>(k)] / 255.0f;
    }
    p.apply({item.data(), 3, 16, 16}, 0, 0, i);
    for (size_t k = 0; k < 256; ++k) sum += item[k], sum_sq += item[k] * item[k];  // channel 0
  }
  const double n = 50.0 * 256;
  EXPECT_NEAR(sum / n, 0.0, 1e-4);
  EXPECT_NEAR(sum_sq / n, 1.0, 1e-3);
  expect_error(
      [] {
        std::vector<float> v(4);
        Generator g(0);
        normalize()->apply({v.data(), 1, 2, 2}, g);
      },
      {"normalize", "fit()"});
}

TEST(Transforms, PipelineIsAPureFunctionOfSeedEpochIndex) {
  const Pipeline p = Pipeline::parse({"random_crop:2", "hflip", "random_affine:15,0.1,0.1"});
  const std::vector<float> original = ramp(1, 12, 12);
  auto run = [&](uint64_t seed, int64_t epoch, int64_t index) {
    std::vector<float> x = original;
    p.apply({x.data(), 1, 12, 12}, seed, epoch, index);
    return x;
  };
  EXPECT_EQ(run(3, 1, 17), run(3, 1, 17));
  EXPECT_NE(run(3, 1, 17), run(3, 1, 18));
  EXPECT_NE(run(3, 1, 17), run(3, 2, 17));
  EXPECT_NE(run(3, 1, 17), run(4, 1, 17));
  // Seeds derive through distinct streams: epoch and index do not alias each other.
  EXPECT_NE(sample_seed(0, 1, 2), sample_seed(0, 2, 1));
}

TEST(Transforms, ParserRoundTripsAndExplainsMistakes) {
  const Pipeline p =
      Pipeline::parse({"random_crop:2", "hflip", "random_affine:15,0.1,0.2", "normalize:0.5:0.25"});
  EXPECT_EQ(p.specs(),
            (std::vector<std::string>{"random_crop:2", "hflip:0.5", "random_affine:15,0.1,0.2",
                                      "normalize:0.5:0.25"}));
  EXPECT_EQ(Pipeline::parse(p.specs()).specs(), p.specs());
  const Pipeline eval = p.eval_only();
  EXPECT_EQ(eval.specs(), (std::vector<std::string>{"normalize:0.5:0.25"}));
  expect_error([] { parse_transform("hlfip"); },
               {"unknown transform 'hlfip'", "did you mean 'hflip'", "random_crop:PADDING"});
  expect_error([] { parse_transform("random_crop:x"); }, {"'x' is not a number"});
  expect_error([] { parse_transform("random_crop"); }, {"random_crop takes 1 to 1"});
  expect_error([] { parse_transform("random_crop:1.5"); }, {"whole number"});
  expect_error([] { parse_transform("hflip:2"); }, {"probability 2 must be in [0, 1]"});
  expect_error([] { parse_transform("normalize:0.5"); }, {"MEAN:STD"});
  expect_error([] { parse_transform("normalize:0.5,0.4:0.2"); }, {"2 means but 1 standard"});
}

}  // namespace
}  // namespace camlab::datasets
