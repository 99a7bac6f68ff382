// ROAD (cam/metrics/road.h), its noisy linear imputation, ARCC (arcc.h) and the deletion /
// insertion baselines (curve_baseline.h): against tests/fixtures/road.h5
// (tools/make_road_fixtures.py, SciPy's direct sparse solve) and identities.
#include "cam/metrics/road.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cam/metrics/arcc.h"
#include "cam/metrics/curve_baseline.h"
#include "tensor/error.h"
#include "tensor/ops.h"
#include "tests/support/fixture.h"

namespace camlab::cam {
namespace {

using camlab::test::Array;
using camlab::test::Fixture;

Tensor as_float(const Array& a) {
  return Tensor::from_vector(std::vector<float>(a.values.begin(), a.values.end()), a.shape);
}

Tensor as_int64(const Array& a) {
  return Tensor::from_vector(std::vector<int64_t>(a.values.begin(), a.values.end()), a.shape);
}

void expect_all_near(const Tensor& got, const Array& want, double tol, const std::string& what) {
  const Tensor g = got.to(DType::Float64).contiguous();
  ASSERT_EQ(g.numel(), want.numel()) << what;
  for (int64_t i = 0; i < want.numel(); ++i)
    EXPECT_NEAR(g.data<double>()[i], want.values[i], tol) << what << " element " << i;
}

// The fixture's tiny model: p = softmax(W · flatten(x) + b)[class].
ClassProbability linear_softmax(const Tensor& weight, const Tensor& bias) {
  return [=](const Tensor& images, const Tensor& classes) {
    const Tensor flat = images.reshape({images.size(0), -1});                         // [B, D]
    const Tensor logits = ops::add(ops::matmul(flat, weight.transpose(0, 1)), bias);  // [B, K]
    return ops::gather(ops::softmax(logits, 1), 1, classes.unsqueeze(1)).squeeze(1);  // [B]
  };
}

TEST(Road, ImputationMatchesSciPyDirectSolve) {
  const Fixture f("road.h5");
  Generator gen(0);
  const Tensor filled = noisy_linear_imputation(as_float(f.array("imputation/images")),
                                                as_float(f.array("imputation/keep")), gen,
                                                {.noise = 0.0, .tolerance = 1e-10});
  expect_all_near(filled, f.array("imputation/filled"), 1e-4, "filled");
}

TEST(Road, ImputedPixelsAreTheWeightedMeanOfTheirNeighbours) {
  Generator gen(3);
  const int64_t h = 12, w = 15;
  const Tensor images = ops::randn({2, 3, h, w}, gen);  // [2, 3, H, W]
  const Tensor keep = ops::gt(ops::uniform({2, h, w}, 0, 1, gen), 0.5).to(DType::Float32);
  const Tensor y = noisy_linear_imputation(images, keep, gen, {.noise = 0.0, .tolerance = 1e-10});
  int64_t checked = 0;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t r = 0; r < h; ++r)
      for (int64_t c = 0; c < w; ++c) {
        if (keep.at<float>({n, r, c}) > 0.5f) {
          for (int64_t ch = 0; ch < 3; ++ch)
            EXPECT_EQ(y.at<float>({n, ch, r, c}), images.at<float>({n, ch, r, c}));
          continue;
        }
        for (int64_t ch = 0; ch < 3; ++ch) {
          double sum = 0, weights = 0;  // Σ w_j x_j / Σ w_j over in-image neighbours
          for (int64_t dy = -1; dy <= 1; ++dy)
            for (int64_t dx = -1; dx <= 1; ++dx) {
              const int64_t yy = r + dy, xx = c + dx;
              if ((dy == 0 && dx == 0) || yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
              const double wt = (dy != 0 && dx != 0) ? 1.0 / 12 : 1.0 / 6;
              sum += wt * y.at<float>({n, ch, yy, xx});
              weights += wt;
            }
          EXPECT_NEAR(y.at<float>({n, ch, r, c}), sum / weights, 1e-5) << n << " " << r << " " << c;
          ++checked;
        }
      }
  EXPECT_GT(checked, 100);
}

TEST(Road, AnUnmaskedImageIsUnchangedAndNoiseHasItsSigma) {
  Generator gen(5);
  const Tensor images = ops::randn({1, 2, 20, 20}, gen);  // [1, 2, 20, 20]
  const Tensor all = noisy_linear_imputation(images, ops::ones({1, 20, 20}), gen, {.noise = 0.5});
  EXPECT_EQ(ops::amax(ops::abs(ops::sub(all, images))).item(), 0.0);
  // Half removed: the noisy fill differs from the noiseless one by N(0, σ²) per imputed value.
  Tensor keep = ops::ones({1, 20, 20});
  for (int64_t r = 0; r < 10; ++r)
    for (int64_t c = 0; c < 20; ++c) keep.data<float>()[r * 20 + c] = 0;
  const Tensor clean = noisy_linear_imputation(images, keep, gen, {.noise = 0.0});
  const Tensor noisy = noisy_linear_imputation(images, keep, gen, {.noise = 0.5});
  const Tensor diff = ops::sub(noisy, clean).narrow(2, 0, 10);  // [1, 2, 10, 20], 400 draws
  EXPECT_NEAR(std::sqrt(ops::mean(ops::mul(diff, diff)).item()), 0.5, 0.05);
}

TEST(Road, EveryPixelRemovedIsAnError) {
  Generator gen(0);
  try {
    noisy_linear_imputation(ops::ones({1, 1, 3, 3}), ops::zeros({1, 3, 3}), gen);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("every pixel removed"), std::string::npos) << e.what();
  }
}

TEST(Road, KeepMasksRemoveTheTopOrBottomShare) {
  // 10 distinct values; percentile 70: t between the 7th and 8th sorted, so 3 pixels go.
  const Tensor maps =
      Tensor::from_vector<float>({.5f, .1f, .9f, .3f, .7f, .2f, .8f, .4f, .6f, 0}, {1, 2, 5});
  const Tensor morf = road_keep_masks(maps, 70, RoadOrder::most_relevant_first);
  const Tensor lerf = road_keep_masks(maps, 70, RoadOrder::least_relevant_first);
  for (int64_t p = 0; p < 10; ++p) {
    const float m = maps.data<float>()[p];
    EXPECT_EQ(morf.data<float>()[p], m >= 0.7f ? 0.f : 1.f) << p;
    EXPECT_EQ(lerf.data<float>()[p], m <= 0.2f ? 0.f : 1.f) << p;
  }
  EXPECT_THROW(road_keep_masks(maps, 100, RoadOrder::most_relevant_first), Error);
}

TEST(Road, TiedPixelsAreSplitByPixelOrder) {
  // A constant map has no order: `s < t` would remove all 10 pixels. The rank 0.4 · 9 = 3.6
  // keeps 4, the first four in pixel order, for both orders.
  const Tensor flat = ops::zeros({1, 2, 5});
  for (RoadOrder order : {RoadOrder::most_relevant_first, RoadOrder::least_relevant_first}) {
    const Tensor keep = road_keep_masks(flat, 40, order);
    for (int64_t p = 0; p < 10; ++p) EXPECT_EQ(keep.data<float>()[p], p < 4 ? 1.f : 0.f) << p;
  }
  // Two pixels tied at the top: MoRF at percentile 90 (rank 8.1) keeps 9 and removes only the
  // later of the two.
  const Tensor tied =
      Tensor::from_vector<float>({.1f, 1, .2f, .3f, .4f, 1, .5f, .6f, .7f, .8f}, {1, 2, 5});
  const Tensor keep = road_keep_masks(tied, 90, RoadOrder::most_relevant_first);
  for (int64_t p = 0; p < 10; ++p) EXPECT_EQ(keep.data<float>()[p], p == 5 ? 0.f : 1.f) << p;
  // A NaN has no rank: a one-line error instead of an invalid sort.
  Tensor broken = tied.clone();
  broken.data<float>()[3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(road_keep_masks(broken, 50, RoadOrder::most_relevant_first), Error);
}

TEST(Road, ScoresOfATinyModelMatchNumPy) {
  const Fixture f("road.h5");
  const ClassProbability p =
      linear_softmax(as_float(f.array("road/weight")), as_float(f.array("road/bias")));
  const RoadScores s =
      road_scores(p, as_float(f.array("road/images")), as_float(f.array("road/maps")),
                  as_int64(f.array("road/classes")),
                  {.imputation = {.noise = 0.0, .tolerance = 1e-10}, .batch_size = 2});
  expect_all_near(s.morf, f.array("road/morf"), 1e-4, "morf");
  expect_all_near(s.lerf, f.array("road/lerf"), 1e-4, "lerf");
  expect_all_near(s.combined, f.array("road/combined"), 1e-4, "combined");
}

TEST(Road, ARandomMapScoresLerfLikeMorfOnAverage) {
  // A map that knows nothing removes the same kind of pixels first or last: E[LeRF − MoRF] = 0,
  // while the map of each pixel's logit contribution scores well above.
  Generator gen(11);
  const int64_t n = 48, c = 1, h = 8, w = 8;
  const Tensor weight = ops::mul(ops::randn({3, c * h * w}, gen), 0.2);  // [3, 64]
  const ClassProbability p = linear_softmax(weight, ops::zeros({3}));
  const Tensor images = ops::randn({n, c, h, w}, gen);  // [N, 1, 8, 8]
  const Tensor classes = ops::zeros({n}, DType::Int64);
  const Tensor random_maps = ops::uniform({n, h, w}, 0, 1, gen);
  const Tensor informative = ops::mul(images.squeeze(1), weight.select(0, 0).reshape({1, h, w}));
  const RoadOptions o{.percentiles = {20, 50, 80}, .imputation = {.noise = 0.0}};
  const double random_score =
      ops::mean(road_scores(p, images, random_maps, classes, o).combined).item();
  const double good_score =
      ops::mean(road_scores(p, images, informative, classes, o).combined).item();
  RecordProperty("random_map_road", std::to_string(random_score));
  RecordProperty("informative_map_road", std::to_string(good_score));
  EXPECT_NEAR(random_score, 0.0, 0.02);
  EXPECT_GT(good_score, random_score + 0.1);
}

TEST(Arcc, MatchesPytorchGradCamsFormulaOnTheFixture) {
  const Fixture f("road.h5");
  const ClassProbability p =
      linear_softmax(as_float(f.array("road/weight")), as_float(f.array("road/bias")));
  const Tensor maps = as_float(f.array("road/maps"));
  const RoadScores r = road_scores(
      p, as_float(f.array("road/images")), maps, as_int64(f.array("road/classes")),
      {.percentiles = {20, 40, 60, 80}, .imputation = {.noise = 0.0, .tolerance = 1e-10}});
  expect_all_near(r.combined, f.array("arcc/road"), 1e-4, "road at 20..80");
  const ArccScores a =
      arcc_from_terms(map_complexity(maps), as_float(f.array("arcc/coherency")), r.combined);
  expect_all_near(a.arcc, f.array("arcc/arcc"), 1e-4, "arcc");
}

TEST(Arcc, ComplexityAndCoherencyIdentities) {
  const Tensor maps = ops::full({2, 4, 4}, 0.25);
  EXPECT_NEAR(map_complexity(maps).at<float>({1}), 0.25, 1e-7);
  Generator gen(1);
  const Tensor varied = ops::uniform({2, 4, 4}, 0, 1, gen);
  const Tensor images = ops::randn({2, 3, 4, 4}, gen);
  const Tensor classes = ops::zeros({2}, DType::Int64);
  // A method whose map ignores the input is perfectly coherent; one that flips it is not.
  const MapFunction same = [&](const Tensor&, const Tensor&) { return varied; };
  const MapFunction flipped = [&](const Tensor&, const Tensor&) {
    return ops::sub(ops::ones({2, 4, 4}), varied);
  };
  EXPECT_NEAR(map_coherency(same, images, varied, classes).at<float>({0}), 1.0, 1e-6);
  EXPECT_NEAR(map_coherency(flipped, images, varied, classes).at<float>({1}), 0.0, 1e-6);
}

TEST(CurveBaseline, NamesBlurAndMean) {
  EXPECT_EQ(parse_curve_baseline("blur"), CurveBaseline::blur);
  try {
    parse_curve_baseline("gray", "localize.baseline");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "localize.baseline: unknown baseline 'gray'; valid: black, blur, mean");
  }
  Generator gen(2);
  const Tensor images = ops::add(ops::randn({2, 3, 9, 9}, gen), 2.0);  // [2, 3, 9, 9]
  // A blur keeps a constant image and shrinks the variance of noise.
  const Tensor flat = ops::full({1, 1, 9, 9}, 0.7);
  EXPECT_NEAR(
      ops::amax(ops::abs(ops::sub(baseline_images(flat, CurveBaseline::blur, {}), flat))).item(),
      0.0, 1e-5);
  const Tensor blurred = baseline_images(images, CurveBaseline::blur, {.blur_sigma = 2.0});
  EXPECT_LT(ops::var(blurred).item(), 0.5 * ops::var(images).item());
  const Tensor mean = Tensor::from_vector<float>({0.1f, 0.2f, 0.3f}, {3});
  const Tensor filled = baseline_images(images, CurveBaseline::mean, {.channel_mean = mean});
  EXPECT_FLOAT_EQ(filled.at<float>({1, 2, 4, 5}), 0.3f);
  EXPECT_EQ(ops::amax(ops::abs(baseline_images(images, CurveBaseline::black, {}))).item(), 0.0);
  EXPECT_THROW(baseline_images(images, CurveBaseline::mean, {}), Error);
}

TEST(CurveBaseline, DeletionOntoTheImageItselfIsFlat) {
  // With the image as its own baseline, removing pixels changes nothing: every point is p(x).
  Generator gen(4);
  const Tensor images = ops::uniform({2, 1, 4, 4}, 0, 1, gen);
  const Tensor maps = ops::uniform({2, 4, 4}, 0, 1, gen);
  const Tensor classes = ops::zeros({2}, DType::Int64);
  const ClassProbability mean_pixel = [](const Tensor& x, const Tensor&) {
    return ops::mean(x, {1, 2, 3});
  };
  const Tensor del =
      deletion_curves(mean_pixel, images, maps, classes, {.steps = 4, .baseline_images = images});
  for (int64_t k = 0; k < 5; ++k)
    EXPECT_FLOAT_EQ(del.at<float>({1, k}), del.at<float>({1, 0})) << k;
}

}  // namespace
}  // namespace camlab::cam
