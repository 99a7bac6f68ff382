// The composite generator: boxes and masks agree with the pixels, two-object canvases hold two
// classes, every canvas is a pure function of the seed, and bad options are one-line errors. The
// textured background: deterministic, bounded in contrast, with distractors of other classes
// inside the canvas, and black canvases unchanged by its options.
#include "datasets/composite.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "datasets/fashion_mnist.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/shapes.h"
#include "tests/datasets/temp_dir.h"

namespace camlab::datasets {
namespace {

using test::expect_error;

ImageDataset shapes_base() { return make_shapes({.n = 40, .size = 20, .seed = 5, .noise = 0}); }

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

// The tight box of the pixels of `mask` [H, W] equal to `value`: {x0, y0, x1, y1}, x1/y1 exclusive.
std::array<float, 4> tight_box(const Tensor& mask, uint8_t value) {
  const Tensor m = mask.contiguous();
  const int64_t h = m.size(0), w = m.size(1);
  std::array<float, 4> box{static_cast<float>(w), static_cast<float>(h), 0, 0};
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      if (m.data<uint8_t>()[y * w + x] != value) continue;
      box[0] = std::min<float>(box[0], x), box[1] = std::min<float>(box[1], y);
      box[2] = std::max<float>(box[2], x + 1), box[3] = std::max<float>(box[3], y + 1);
    }
  }
  return box;
}

TEST(Composite, OneObjectBoxIsTheTightBoxOfItsMask) {
  const ImageDataset d = make_composite(shapes_base(), {.n = 30, .canvas = 40, .seed = 3});
  ASSERT_EQ(d.images.shape(), (Shape{30, 1, 40, 40}));
  ASSERT_EQ(d.labels.shape(), (Shape{30}));
  ASSERT_EQ(d.boxes.shape(), (Shape{30, 1, 4}));
  ASSERT_EQ(d.masks.shape(), (Shape{30, 40, 40}));
  EXPECT_EQ(d.class_names, shapes_classes());
  d.validate("composite");
  for (int64_t i = 0; i < d.size(); ++i) {
    const auto label = static_cast<uint8_t>(d.labels.at<int64_t>({i}) + 1);
    const std::array<float, 4> want = tight_box(d.masks.select(0, i), label);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(d.boxes.at<float>({i, 0, k}), want[k]) << i << " " << k;
    // The box spans 0.7 to 1.3 of the 20 px item at most: its larger side is at most 26 px.
    EXPECT_LE(std::max(want[2] - want[0], want[3] - want[1]), 26.f);
    // Without clutter, exactly the mask's pixels are lit.
    const Tensor image = d.images.select(0, i).select(0, 0).contiguous();
    const Tensor mask = d.masks.select(0, i).contiguous();
    for (int64_t p = 0; p < 40 * 40; ++p) {
      ASSERT_EQ(image.data<uint8_t>()[p] > 0, mask.data<uint8_t>()[p] > 0) << i << " " << p;
    }
  }
}

TEST(Composite, TwoObjectsHaveTwoDifferentClassesAndBoxesInClassOrder) {
  const ImageDataset d =
      make_composite(shapes_base(), {.n = 40, .canvas = 48, .objects = 2, .seed = 9});
  ASSERT_EQ(d.labels.shape(), (Shape{40, 4}));
  ASSERT_EQ(d.labels.dtype(), DType::UInt8);
  ASSERT_EQ(d.boxes.shape(), (Shape{40, 2, 4}));
  d.validate("composite");
  for (int64_t i = 0; i < d.size(); ++i) {
    std::vector<int64_t> present;
    for (int64_t k = 0; k < 4; ++k) {
      if (d.labels.at<uint8_t>({i, k})) present.push_back(k);
    }
    ASSERT_EQ(present.size(), 2u) << "item " << i;
    // Mask pixels of the j-th present class lie in box row j (later items may hide some pixels
    // of earlier ones, never move them).
    const Tensor mask = d.masks.select(0, i).contiguous();
    for (size_t j = 0; j < 2; ++j) {
      const std::array<float, 4> pixels = tight_box(mask, static_cast<uint8_t>(present[j] + 1));
      const auto row = static_cast<int64_t>(j);
      EXPECT_LT(pixels[0], pixels[2]) << "class " << present[j] << " has no visible pixel";
      EXPECT_GE(pixels[0], d.boxes.at<float>({i, row, 0}));
      EXPECT_GE(pixels[1], d.boxes.at<float>({i, row, 1}));
      EXPECT_LE(pixels[2], d.boxes.at<float>({i, row, 2}));
      EXPECT_LE(pixels[3], d.boxes.at<float>({i, row, 3}));
    }
  }
}

TEST(Composite, DeterministicPerSeedAndItemByItem) {
  const ImageDataset base = shapes_base();
  const CompositeOptions o{.n = 12, .canvas = 40, .objects = 2, .clutter = 2, .seed = 4};
  const ImageDataset a = make_composite(base, o), b = make_composite(base, o);
  EXPECT_TRUE(same_bytes(a.images, b.images));
  EXPECT_TRUE(same_bytes(a.masks, b.masks));
  EXPECT_TRUE(same_bytes(a.boxes, b.boxes));
  EXPECT_TRUE(same_bytes(a.labels, b.labels));
  CompositeOptions longer = o;
  longer.n = 20;  // canvas i does not depend on how many are made
  EXPECT_TRUE(
      same_bytes(a.images, make_composite(base, longer).images.narrow(0, 0, 12).contiguous()));
  CompositeOptions other = o;
  other.seed = 5;
  EXPECT_FALSE(same_bytes(a.images, make_composite(base, other).images));
}

TEST(Composite, ClutterIsFaintAndOutsideTheMasks) {
  const ImageDataset d = make_composite(
      shapes_base(), {.n = 10, .canvas = 40, .clutter = 3, .clutter_level = 0.3, .seed = 2});
  int64_t clutter_pixels = 0;
  const Tensor images = d.images.contiguous(), masks = d.masks.contiguous();
  for (int64_t p = 0; p < masks.numel(); ++p) {
    if (masks.data<uint8_t>()[p] != 0 || images.data<uint8_t>()[p] == 0) continue;
    ++clutter_pixels;
    EXPECT_LE(images.data<uint8_t>()[p], 77) << p;  // ≤ 0.3 · 255, rounded
  }
  EXPECT_GT(clutter_pixels, 0);
}

TEST(Composite, RoundTripsThroughTheHdf5Schema) {
  test::TempDir dir;
  const ImageDataset d =
      make_composite(shapes_base(), {.n = 8, .canvas = 32, .objects = 2, .scale_max = 1.2});
  write_hdf5_dataset(dir.file("c.h5"), d);
  const ImageDataset back = read_hdf5_dataset(dir.file("c.h5"));
  EXPECT_TRUE(same_bytes(back.images, d.images));
  EXPECT_TRUE(same_bytes(back.labels, d.labels));
  EXPECT_TRUE(same_bytes(back.boxes, d.boxes));
  EXPECT_TRUE(same_bytes(back.masks, d.masks));
  EXPECT_EQ(back.class_names, d.class_names);
}

TEST(Composite, RealFashionMnistItems) {
  if (!std::filesystem::exists(fashion_mnist_dir()))
    GTEST_SKIP() << "dataset-fashion-mnist missing";
  const ImageDataset base = load_fashion_mnist(fashion_mnist_dir(), "test");
  const ImageDataset d = make_composite(base, {.n = 16, .canvas = 64, .objects = 2, .seed = 1});
  d.validate("composite");
  EXPECT_EQ(d.class_names.size(), 10u);
  for (int64_t i = 0; i < d.size(); ++i) {
    const float w = d.boxes.at<float>({i, 0, 2}) - d.boxes.at<float>({i, 0, 0});
    EXPECT_GE(w, 5.f);  // items are 20-36 px canvases; even a narrow item is several px wide
    EXPECT_LE(w, 37.f);
  }
}

// Four classes of 10x10 squares, class k all at brightness 100 + 40k, so that a pixel's value
// tells its class (a distractor at level 0.5 shows round(0.5 · (100 + 40k))).
ImageDataset flat_squares() {
  ImageDataset base;
  base.name = "squares";
  base.images = Tensor::empty({8, 1, 10, 10}, DType::UInt8);  // [8, 1, 10, 10]
  base.labels = Tensor::empty({8}, DType::Int64);             // [8]
  for (int64_t i = 0; i < 8; ++i) {
    base.labels.data<int64_t>()[i] = i % 4;
    std::fill_n(base.images.data<uint8_t>() + i * 100, 100,
                static_cast<uint8_t>(100 + 40 * (i % 4)));
  }
  return base;
}

CompositeOptions textured_options() {
  return {.n = 24,
          .canvas = 40,
          .background = Background::textured,
          .texture_level = 0.15,
          .tiles = 4,
          .distractors = 2,
          .distractor_level = 0.5,
          .seed = 8};
}

TEST(Composite, TexturedIsDeterministicAndLeavesBlackCanvasesAlone) {
  const ImageDataset base = flat_squares();
  const ImageDataset a = make_composite(base, textured_options());
  const ImageDataset b = make_composite(base, textured_options());
  EXPECT_TRUE(same_bytes(a.images, b.images));
  EXPECT_TRUE(same_bytes(a.masks, b.masks));
  EXPECT_TRUE(same_bytes(a.boxes, b.boxes));
  EXPECT_TRUE(same_bytes(a.distractor_boxes, b.distractor_boxes));
  // The targets are the black canvas's targets: texture and distractors have their own stream.
  CompositeOptions black = textured_options();
  black.background = Background::black;
  const ImageDataset plain = make_composite(base, black);
  EXPECT_FALSE(plain.distractor_boxes.defined());
  EXPECT_TRUE(same_bytes(a.boxes, plain.boxes));
  EXPECT_TRUE(same_bytes(a.masks, plain.masks));
  EXPECT_FALSE(same_bytes(a.images, plain.images));
}

TEST(Composite, TexturedBackgroundIsBoundedInContrast) {
  const CompositeOptions o = textured_options();
  const ImageDataset d = make_composite(flat_squares(), o);
  d.validate("textured");
  const Tensor images = d.images.contiguous(), masks = d.masks.contiguous();  // [N,1,S,S], [N,S,S]
  const int64_t side = o.canvas;
  int64_t lit = 0, background = 0;
  for (int64_t i = 0; i < d.size(); ++i) {
    for (int64_t y = 0; y < side; ++y) {
      for (int64_t x = 0; x < side; ++x) {
        bool in_distractor = false;
        for (int64_t j = 0; j < o.distractors; ++j) {
          in_distractor |= x >= d.distractor_boxes.at<float>({i, j, 0}) &&
                           x < d.distractor_boxes.at<float>({i, j, 2}) &&
                           y >= d.distractor_boxes.at<float>({i, j, 1}) &&
                           y < d.distractor_boxes.at<float>({i, j, 3});
        }
        if (masks.data<uint8_t>()[(i * side + y) * side + x] != 0 || in_distractor) continue;
        const uint8_t v = images.data<uint8_t>()[(i * side + y) * side + x];
        ++background, lit += v > 0;
        ASSERT_LE(v, 38) << "item " << i << " at " << x << ", " << y;  // floor(0.15 · 255)
      }
    }
  }
  EXPECT_GT(lit, background / 2);  // the smooth noise lights most of the background
}

TEST(Composite, DistractorsAreOtherClassesInsideTheCanvas) {
  CompositeOptions o = textured_options();
  o.distractors = 1;  // two may overlap each other, and the brightest pixel would be ambiguous
  const ImageDataset d = make_composite(flat_squares(), o);
  ASSERT_EQ(d.distractor_boxes.shape(), (Shape{o.n, o.distractors, 4}));
  const Tensor images = d.images.contiguous(), masks = d.masks.contiguous();
  const auto side = static_cast<float>(o.canvas);
  for (int64_t i = 0; i < d.size(); ++i) {
    const int64_t target = d.labels.at<int64_t>({i});
    for (int64_t j = 0; j < o.distractors; ++j) {
      const float x0 = d.distractor_boxes.at<float>({i, j, 0});
      const float y0 = d.distractor_boxes.at<float>({i, j, 1});
      const float x1 = d.distractor_boxes.at<float>({i, j, 2});
      const float y1 = d.distractor_boxes.at<float>({i, j, 3});
      ASSERT_TRUE(x0 >= 0 && y0 >= 0 && x0 < x1 && y0 < y1 && x1 <= side && y1 <= side) << i;
      // Its brightest pixel outside the targets is 0.5 · (100 + 40k): class k is not the target's.
      int brightest = 0;
      for (auto y = static_cast<int64_t>(y0); y < static_cast<int64_t>(y1); ++y) {
        for (auto x = static_cast<int64_t>(x0); x < static_cast<int64_t>(x1); ++x) {
          const int64_t at = (i * o.canvas + y) * o.canvas + x;
          if (masks.data<uint8_t>()[at] == 0)
            brightest = std::max<int>(brightest, images.data<uint8_t>()[at]);
        }
      }
      bool other_class = false;
      for (int64_t k = 0; k < 4; ++k) {
        if (brightest == static_cast<int>(std::lround(0.5 * (100 + 40 * k))))
          other_class = k != target;
      }
      EXPECT_TRUE(other_class) << "item " << i << " distractor " << j << " brightest " << brightest
                               << " target class " << target;
    }
  }
  test::TempDir dir;  // the non-target boxes survive the HDF5 schema
  write_hdf5_dataset(dir.file("t.h5"), d);
  EXPECT_TRUE(same_bytes(read_hdf5_dataset(dir.file("t.h5")).distractor_boxes, d.distractor_boxes));
}

TEST(Composite, BadOptionsAreOneLineErrors) {
  const ImageDataset base = shapes_base();
  expect_error([&] { make_composite(base, {.objects = 3}); }, {"--objects 3", "valid: 1 or 2"});
  expect_error([&] { make_composite(base, {.canvas = 20}); },
               {"--canvas 20", "smaller than the largest scaled item", "--canvas >= 26"});
  expect_error([&] { make_composite(base, {.scale_min = 1.2, .scale_max = 0.8}); },
               {"--scale 1.2:0.8"});
  ImageDataset one_class = base.subset({0, 4, 8});  // shapes cycle classes: all circles
  expect_error([&] { make_composite(one_class, {.objects = 2}); },
               {"--objects 2 needs 2 different classes"});
  expect_error([&] { make_composite(base, {.texture_level = 1.5}); },
               {"texture level 1.5", "valid: levels in [0, 1]"});
  expect_error([&] { parse_background("grey"); }, {"--background 'grey'", "black, textured"});
}

}  // namespace
}  // namespace camlab::datasets
