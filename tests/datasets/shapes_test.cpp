// The synthetic shapes dataset: exact boxes and masks, determinism, visible objects.
#include "datasets/shapes.h"

#include <gtest/gtest.h>

#include <cstring>

namespace camlab::datasets {
namespace {

TEST(Shapes, MasksLieInsideTightBoxes) {
  const ImageDataset d = make_shapes({.n = 200, .size = 32, .seed = 5});
  d.validate("shapes");
  ASSERT_EQ(d.images.shape(), (Shape{200, 1, 32, 32}));
  ASSERT_EQ(d.boxes.shape(), (Shape{200, 1, 4}));
  ASSERT_EQ(d.masks.shape(), (Shape{200, 32, 32}));
  for (int64_t i = 0; i < d.size(); ++i) {
    const int64_t label = d.labels.at<int64_t>({i});
    EXPECT_EQ(label, i % 4);
    const float x0 = d.boxes.at<float>({i, 0, 0}), y0 = d.boxes.at<float>({i, 0, 1});
    const float x1 = d.boxes.at<float>({i, 0, 2}), y1 = d.boxes.at<float>({i, 0, 3});
    int64_t min_x = 32, min_y = 32, max_x = -1, max_y = -1, area = 0;
    for (int64_t y = 0; y < 32; ++y) {
      for (int64_t x = 0; x < 32; ++x) {
        const uint8_t m = d.masks.at<uint8_t>({i, y, x});
        if (m == 0) continue;
        ASSERT_EQ(m, label + 1) << "item " << i;
        ASSERT_TRUE(x >= x0 && x + 1 <= x1 && y >= y0 && y + 1 <= y1)
            << "item " << i << " pixel (" << x << ", " << y << ") outside its box";
        min_x = std::min(min_x, x), max_x = std::max(max_x, x);
        min_y = std::min(min_y, y), max_y = std::max(max_y, y);
        ++area;
      }
    }
    // Tight: the mask touches all four sides of its box.
    EXPECT_EQ(min_x, x0);
    EXPECT_EQ(max_x + 1, x1);
    EXPECT_EQ(min_y, y0);
    EXPECT_EQ(max_y + 1, y1);
    const double box_area = (x1 - x0) * (y1 - y0);
    if (label == 1) {
      EXPECT_EQ(area, box_area) << "a square fills its box";
    } else {
      EXPECT_LT(area, box_area) << "only a square fills its box";
    }
    EXPECT_GE(x1 - x0, 9) << "shapes are 30-60% of the image";
  }
}

TEST(Shapes, ObjectsAreBrighterThanTheBackground) {
  const ImageDataset d = make_shapes({.n = 20, .size = 24, .seed = 2, .channels = 3});
  ASSERT_EQ(d.images.shape(), (Shape{20, 3, 24, 24}));
  for (int64_t i = 0; i < d.size(); ++i) {
    double on = 0, off = 0;
    int64_t n_on = 0, n_off = 0;
    for (int64_t y = 0; y < 24; ++y) {
      for (int64_t x = 0; x < 24; ++x) {
        const double v = d.images.at<uint8_t>({i, 0, y, x});
        if (d.masks.at<uint8_t>({i, y, x}))
          on += v, ++n_on;
        else
          off += v, ++n_off;
      }
    }
    EXPECT_GT(on / n_on, off / n_off + 100) << "item " << i;
  }
}

TEST(Shapes, ItemsArePureFunctionsOfSeedAndIndex) {
  const ImageDataset a = make_shapes({.n = 10, .size = 16, .seed = 9});
  const ImageDataset b = make_shapes({.n = 30, .size = 16, .seed = 9});
  const ImageDataset c = make_shapes({.n = 10, .size = 16, .seed = 10});
  EXPECT_EQ(0, std::memcmp(a.images.raw_data(), b.images.raw_data(), a.images.numel()));
  EXPECT_EQ(0, std::memcmp(a.boxes.raw_data(), b.boxes.raw_data(), a.boxes.numel() * 4));
  EXPECT_NE(0, std::memcmp(a.images.raw_data(), c.images.raw_data(), a.images.numel()));
}

TEST(Shapes, BadOptionsAreOneLineErrors) {
  try {
    make_shapes({.n = 10, .size = 4});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("size >= 8"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace camlab::datasets
