// Localization, faithfulness and segmentation metrics on hand-made maps and toy models whose
// answers are worked out in the comments.
#include <gtest/gtest.h>

#include <cmath>

#include "cam/metrics/box.h"
#include "cam/metrics/faithfulness.h"
#include "cam/metrics/localization.h"
#include "cam/metrics/segmentation.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

Tensor map_of(const std::vector<float>& values, int64_t h, int64_t w) {
  return Tensor::from_vector(values, {h, w});
}

TEST(Box, IouOfIdenticalDisjointAndHalfShiftedBoxes) {
  const Box a{0, 0, 4, 4};
  EXPECT_DOUBLE_EQ(iou(a, a), 1.0);
  EXPECT_DOUBLE_EQ(iou(a, Box{4, 0, 8, 4}), 0.0);         // touching edges share no pixel
  EXPECT_DOUBLE_EQ(iou(a, Box{2, 0, 6, 4}), 8.0 / 24.0);  // 2x4 shared of 16 + 16 − 8
  EXPECT_DOUBLE_EQ(iou(a, Box{1, 1, 3, 3}), 4.0 / 16.0);  // contained: 4 of 16
  EXPECT_DOUBLE_EQ(iou(Box{0, 0, 0, 0}, Box{0, 0, 0, 0}), 0.0);
}

TEST(Box, ComponentsUseEightConnectivity) {
  // 1 1 0 0 0
  // 0 0 1 0 1      the diagonal joins the first three; (4,1)-(4,2)-(3,3) form another
  // 0 0 0 0 1
  // 1 0 0 1 0      (0,3) stands alone
  const std::vector<uint8_t> mask = {1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0};
  const std::vector<int32_t> labels = label_components(mask, 4, 5);
  const std::vector<int32_t> want = {1, 1, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2, 3, 0, 0, 2, 0};
  EXPECT_EQ(labels, want);
}

TEST(Box, BoxFromMapKeepsTheLargestComponentAboveThreshold) {
  // A peak blob of 2 pixels (x = 0..1, y = 0) and a wider plateau of 4 pixels at 0.5 (x = 3..4,
  // y = 2..3).
  const Tensor m = map_of({1.0f, 0.9f, 0, 0,    0,     //
                           0,    0,    0, 0,    0,     //
                           0,    0,    0, 0.5f, 0.5f,  //
                           0,    0,    0, 0.5f, 0.5f},
                          4, 5);
  EXPECT_EQ(box_from_map(map_view(m), 0.2), (Box{3, 2, 5, 4}));  // the plateau is larger
  EXPECT_EQ(box_from_map(map_view(m), 0.6), (Box{0, 0, 2, 1}));  // only the peak survives
  EXPECT_EQ(box_from_map(map_view(m), 0.0), (Box{0, 0, 5, 4}));  // every pixel kept
  const Tensor zeros = ops::zeros({3, 6});
  EXPECT_EQ(box_from_map(map_view(zeros), 0.2), (Box{0, 0, 6, 3}));
}

TEST(Localization, SweepThresholdsStopBelowOne) {
  EXPECT_EQ(sweep_thresholds(0.25), (std::vector<double>{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(sweep_thresholds(0.01).size(), 100u);
  EXPECT_DOUBLE_EQ(pointing_tolerance(224), 15.0);
  EXPECT_DOUBLE_EQ(pointing_tolerance(64), 15.0 * 64 / 224);
}

TEST(Localization, PointingGameHitsInsideOrWithinTolerance) {
  std::vector<float> v(100, 0.f);
  v[2 * 10 + 7] = 1.f;  // max at pixel (7, 2), centre (7.5, 2.5)
  const Tensor m = map_of(v, 10, 10);
  EXPECT_TRUE(pointing_hit(map_view(m), {Box{6, 1, 9, 4}}, 0));
  EXPECT_FALSE(pointing_hit(map_view(m), {Box{0, 0, 5, 5}}, 0));    // 2.5 px to the right
  EXPECT_TRUE(pointing_hit(map_view(m), {Box{0, 0, 5, 5}}, 2.5));   // just within
  EXPECT_FALSE(pointing_hit(map_view(m), {Box{0, 6, 5, 9}}, 4.0));  // √(2.5² + 3.5²) = 4.30
  EXPECT_TRUE(pointing_hit(map_view(m), {Box{0, 6, 5, 9}, Box{7, 2, 8, 3}}, 0));  // any box
}

TEST(Localization, EnergyPointingIsTheShareInsideTheBoxes) {
  // Row-major 2x4: energy 1 + 2 inside x < 2 of row 0, total 1 + 2 + 3 + 4 = 10.
  const Tensor m = map_of({1, 2, 3, 4, 0, 0, 0, 0}, 2, 4);
  EXPECT_DOUBLE_EQ(energy_in_boxes(map_view(m), {Box{0, 0, 2, 1}}), 0.3);
  EXPECT_DOUBLE_EQ(energy_in_boxes(map_view(m), {Box{0, 0, 2, 1}, Box{3, 0, 4, 2}}), 0.7);
  EXPECT_DOUBLE_EQ(energy_in_boxes(map_view(ops::zeros({2, 4})), {Box{0, 0, 2, 1}}), 0.0);
}

TEST(Localization, TallyCountsGtKnownTop1SweepAndPointing) {
  // Case 1: map is 1 on the true box (IoU 1 at any t > 0), prediction right.
  // Case 2: map is 1 on a box shifted by 2 px (IoU 8/24 = 1/3 at t = 0.2), prediction wrong.
  // At t = 0 both boxes are the whole 8x8 image: IoU 16/64 = 0.25, no hit.
  auto square_map = [](int64_t x0, int64_t y0) {
    std::vector<float> v(64, 0.f);
    for (int64_t y = y0; y < y0 + 4; ++y)
      for (int64_t x = x0; x < x0 + 4; ++x) v[y * 8 + x] = 1.f;
    return Tensor::from_vector(v, {8, 8});
  };
  LocalizationTally tally({.threshold = 0.2, .sweep = {0.0, 0.5}, .tolerance = 0});
  const Tensor hit = square_map(2, 2), miss = square_map(4, 2);
  tally.add(map_view(hit), {Box{2, 2, 6, 6}}, true);
  tally.add(map_view(miss), {Box{2, 2, 6, 6}}, false);
  const LocalizationSummary s = tally.summary();
  EXPECT_EQ(s.count, 2);
  EXPECT_DOUBLE_EQ(s.gt_known_loc, 0.5);
  EXPECT_DOUBLE_EQ(s.top1_loc, 0.5);
  EXPECT_DOUBLE_EQ(s.mean_iou, (1.0 + 8.0 / 24.0) / 2);  // shifted by 2: 8 shared of 16 + 16 − 8
  EXPECT_EQ(s.gt_known_by_threshold, (std::vector<double>{0.0, 0.5}));
  EXPECT_DOUBLE_EQ(s.max_box_acc, 0.5);
  EXPECT_DOUBLE_EQ(s.best_threshold, 0.5);
  // Both maxima are the first pixel of their square in scan order: (2, 2) inside, (4, 2) inside.
  EXPECT_DOUBLE_EQ(s.pointing_game, 1.0);
  EXPECT_DOUBLE_EQ(s.energy_pointing, (1.0 + 0.5) / 2);
}

TEST(Faithfulness, AverageDropAndIncreaseByHand) {
  const Tensor y = Tensor::from_vector<float>({0.8f, 0.5f, 0.4f}, {3});
  const Tensor o = Tensor::from_vector<float>({0.4f, 0.6f, 0.4f}, {3});
  const Tensor drop = confidence_drop(y, o);  // (0.8 − 0.4)/0.8, 0, 0
  EXPECT_NEAR(drop.at<float>({0}), 0.5, 1e-6);
  EXPECT_EQ(drop.at<float>({1}), 0.f);
  EXPECT_EQ(drop.at<float>({2}), 0.f);
  const Tensor up = confidence_increase(y, o);  // only 0.6 > 0.5
  EXPECT_EQ(up.at<float>({0}), 0.f);
  EXPECT_EQ(up.at<float>({1}), 1.f);
  EXPECT_EQ(up.at<float>({2}), 0.f);
  const Tensor x = ops::full({1, 2, 1, 2}, 2.0);
  const Tensor masked = mask_inputs(x, Tensor::from_vector<float>({0.5f, 0.25f}, {1, 1, 2}));
  EXPECT_EQ(masked.at<float>({0, 1, 0, 0}), 1.f);
  EXPECT_EQ(masked.at<float>({0, 1, 0, 1}), 0.5f);
}

// A toy "model" whose class probability is the mean pixel value (times 1 for class 0, 0.5 for
// class 1), so every curve point is known.
Tensor mean_pixel(const Tensor& images, const Tensor& classes) {
  Tensor mean = ops::mean(images, {1, 2, 3});  // [B]
  Tensor scale = ops::sub(ops::ones({classes.size(0)}), ops::mul(classes.to(DType::Float32), 0.5));
  return ops::mul(mean, scale);
}

TEST(Faithfulness, DeletionAndInsertionCurvesOfAToyModel) {
  // Image 0: pixels 1, .75, .5, .25 (2x2); its map ranks them in that order, so deletion removes
  // the brightest first: means .625, .375, .1875, .0625, 0. Image 1 is the same image with the map
  // reversed and class 1 (probability halved): removing .25 first: .625, .5625, .4375, .25, 0 (x
  // .5).
  const Tensor px = Tensor::from_vector<float>({1, 0.75f, 0.5f, 0.25f}, {1, 1, 2, 2});
  const Tensor images = ops::cat({px, px}, 0);  // [2, 1, 2, 2]
  const Tensor maps =
      Tensor::from_vector<float>({0.9f, 0.7f, 0.5f, 0.1f, 0.1f, 0.5f, 0.7f, 0.9f}, {2, 2, 2});
  const Tensor classes = Tensor::from_vector<int64_t>({0, 1}, {2});
  const CurveOptions o{.steps = 4, .baseline = 0.0, .batch_size = 3};        // batches split images
  const Tensor del = deletion_curves(mean_pixel, images, maps, classes, o);  // [2, 5]
  const std::vector<float> want0 = {0.625f, 0.375f, 0.1875f, 0.0625f, 0.f};
  const std::vector<float> want1 = {0.3125f, 0.28125f, 0.21875f, 0.125f, 0.f};
  for (int64_t k = 0; k < 5; ++k) {
    EXPECT_FLOAT_EQ(del.at<float>({0, k}), want0[k]) << k;
    EXPECT_FLOAT_EQ(del.at<float>({1, k}), want1[k]) << k;
  }
  // Trapezoid with Δx = 1/4: image 0: (.625 + 2·(.375 + .1875 + .0625) + 0)/8 = 0.234375.
  const Tensor auc = curve_auc(del);
  EXPECT_FLOAT_EQ(auc.at<float>({0}), 0.234375f);
  EXPECT_FLOAT_EQ(auc.at<float>({1}), (0.3125f + 2 * (0.28125f + 0.21875f + 0.125f)) / 8);
  // Insertion restores the same pixels onto zeros: point k is the full mean minus deletion's.
  const Tensor ins = insertion_curves(mean_pixel, images, maps, classes, o);
  for (int64_t k = 0; k < 5; ++k) {
    EXPECT_FLOAT_EQ(ins.at<float>({0, k}), 0.625f - want0[k]) << k;
    EXPECT_FLOAT_EQ(ins.at<float>({1, k}), 0.3125f - want1[k]) << k;
  }
  // A perfect ranking deletes fast and inserts fast: deletion + insertion AUC = full mean.
  EXPECT_FLOAT_EQ(curve_auc(ins).at<float>({0}) + auc.at<float>({0}), 0.625f);
}

TEST(Faithfulness, CurveAucOfSimpleCurves) {
  const Tensor curves = Tensor::from_vector<float>({0, 1, 1, 1, 1, 1}, {2, 3});
  const Tensor auc = curve_auc(Tensor::from_vector<float>({0, 1}, {1, 2}));
  EXPECT_FLOAT_EQ(auc.at<float>({0}), 0.5f);
  const Tensor both = curve_auc(curves);
  EXPECT_FLOAT_EQ(both.at<float>({0}), 0.75f);  // (0 + 1)/4 + (1 + 1)/4
  EXPECT_FLOAT_EQ(both.at<float>({1}), 1.0f);
}

TEST(Segmentation, SeedMaskForegroundBackgroundAndIgnored) {
  // Two class maps over 1x4 pixels. Class 3: 1, .5, .1, 0; class 7: 0, .8, .15, .05 (max .8).
  // Relative values: class 3: 1, .5, .1, 0; class 7: 0, 1, .1875, .0625.
  const Tensor maps =
      Tensor::from_vector<float>({1, 0.5f, 0.1f, 0, 0, 0.8f, 0.15f, 0.05f}, {2, 1, 4});
  const Tensor seeds = seed_mask(maps, {3, 7}, {.foreground = 0.3, .background = 0.15});
  EXPECT_EQ(seeds.at<uint8_t>({0, 0}), 4);             // class 3
  EXPECT_EQ(seeds.at<uint8_t>({0, 1}), 8);             // both pass; class 7 is higher (1 > .5)
  EXPECT_EQ(seeds.at<uint8_t>({0, 2}), kIgnoreLabel);  // class 7 at .1875 is not low
  EXPECT_EQ(seeds.at<uint8_t>({0, 3}), 0);             // every map below .15
}

TEST(Segmentation, MeanIouOverClassesAndBackground) {
  // truth 0 1 1 2, prediction 0 1 2 2: background 1/1, class A 1/2, class B 1/2; label 3 absent.
  const Tensor truth = Tensor::from_vector<uint8_t>({0, 1, 1, 2}, {1, 4});
  const Tensor predicted = Tensor::from_vector<uint8_t>({0, 1, 2, 2}, {1, 4});
  ConfusionMatrix c(4);
  c.add(truth, predicted);
  const std::vector<double> ious = c.ious();
  EXPECT_DOUBLE_EQ(ious[0], 1.0);
  EXPECT_DOUBLE_EQ(ious[1], 0.5);
  EXPECT_DOUBLE_EQ(ious[2], 0.5);
  EXPECT_TRUE(std::isnan(ious[3]));
  EXPECT_DOUBLE_EQ(c.mean_iou(), 2.0 / 3.0);
  // Unseeded pixels score as background: truth 0 0, prediction 255 1 -> bg 1/2, A 0/1.
  ConfusionMatrix d(2);
  d.add(Tensor::from_vector<uint8_t>({0, 0}, {2}),
        Tensor::from_vector<uint8_t>({kIgnoreLabel, 1}, {2}));
  EXPECT_DOUBLE_EQ(d.ious()[0], 0.5);
  EXPECT_DOUBLE_EQ(d.ious()[1], 0.0);
  EXPECT_DOUBLE_EQ(d.mean_iou(), 0.25);
}

TEST(Segmentation, ErrorsNameTheProblem) {
  ConfusionMatrix c(3);
  try {
    c.add(Tensor::from_vector<uint8_t>({0, 5}, {2}), Tensor::from_vector<uint8_t>({0, 1}, {2}));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("out of range; valid 0..2"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace camlab::cam
