// HOG descriptors of step edges worked out by hand, the invariances the definition implies, and
// the Pearson similarity of two descriptors.
#include "cam/metrics/hog.h"

#include <gtest/gtest.h>

#include "cam/metrics/spearman.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// 8x8: 0 left of column 4 (vertical edge) or above row 4 (horizontal edge), 1 beyond.
Tensor step_edge(bool vertical) {
  std::vector<float> v(64);
  for (int64_t y = 0; y < 8; ++y) {
    for (int64_t x = 0; x < 8; ++x) v[y * 8 + x] = (vertical ? x : y) >= 4 ? 1.0f : 0.0f;
  }
  return Tensor::from_vector(v, {8, 8});
}

TEST(Hog, VerticalEdgeFillsTheZeroDegreeBinOfEveryCell) {
  // Cells of 4 px, one 2x2 block: 4 cells x 9 bins. gx = 1 on columns 3 and 4 of all 8 rows, so
  // each cell holds 4 pixels of magnitude 1 at θ = 0° -> 4 / 16 = 0.25 in bin 0. L2: 0.25 / 0.5 =
  // 0.5; clipped to 0.2; L2 again: 0.2 / 0.4 = 0.5.
  const std::vector<double> d = hog(step_edge(true), {.cell = 4});
  ASSERT_EQ(d.size(), 36u);
  for (size_t i = 0; i < d.size(); ++i) {
    EXPECT_NEAR(d[i], i % 9 == 0 ? 0.5 : 0.0, 1e-9) << i;
  }
}

TEST(Hog, HorizontalEdgeFillsTheNinetyDegreeBin) {
  // θ = atan2(1, 0) = 90°, bin floor(90 / 20) = 4.
  const std::vector<double> d = hog(step_edge(false), {.cell = 4});
  for (size_t i = 0; i < d.size(); ++i) {
    EXPECT_NEAR(d[i], i % 9 == 4 ? 0.5 : 0.0, 1e-9) << i;
  }
}

TEST(Hog, SimilarityOfCrossedEdgesByHand) {
  // 36 values, four 0.5s each in disjoint places; mean m = 1/18: Σab − 36m² = −1/9,
  // Σa² − 36m² = 1 − 1/9 = 8/9, so r = −1/8.
  EXPECT_NEAR(hog_similarity(step_edge(true), step_edge(false), {.cell = 4}), -0.125, 1e-9);
  EXPECT_NEAR(hog_similarity(step_edge(true), step_edge(true), {.cell = 4}), 1.0, 1e-12);
}

TEST(Hog, BlocksSlideByOneCellAndRaggedEdgesAreDropped) {
  // 30x21 with 7 px cells: 4x3 whole cells, (4 − 1) x (3 − 1) blocks of 2x2 cells x 9 bins.
  Generator gen(1);
  EXPECT_EQ(hog(ops::rand({30, 21}, gen), {.cell = 7}).size(), 3u * 2u * 4u * 9u);
}

TEST(Hog, IgnoresOffsetsAndGradientSign) {
  // Gradients ignore an added constant; 1 − x flips every gradient, θ + 180° lands in the same
  // unsigned bin.
  Generator gen(2);
  const Tensor x = ops::rand({16, 16}, gen, DType::Float64);
  const std::vector<double> d = hog(x, {.cell = 4});
  const std::vector<double> shifted = hog(ops::add(x, 3.0), {.cell = 4});
  const std::vector<double> flipped = hog(ops::add(ops::neg(x), 1.0), {.cell = 4});
  ASSERT_EQ(d.size(), flipped.size());
  for (size_t i = 0; i < d.size(); ++i) {
    EXPECT_NEAR(d[i], shifted[i], 1e-9) << i;
    EXPECT_NEAR(d[i], flipped[i], 1e-9) << i;
  }
}

TEST(Hog, CellSizeForSmallMapsAndTooSmallMaps) {
  EXPECT_EQ(hog_cell_for(224, 224), 8);
  EXPECT_EQ(hog_cell_for(28, 28), 7);
  EXPECT_EQ(hog_cell_for(16, 20), 4);
  try {
    hog(ops::zeros({8, 8}), {.cell = 8});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("1x1 cells of 8 px"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace camlab::cam
