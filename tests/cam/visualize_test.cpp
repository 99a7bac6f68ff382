// cam/visualize feature visualization: gradient ascent finds a filter's preferred pattern, lifts
// its objective far above what random inputs give, every regulariser lowers its own penalty,
// seeds reproduce pictures bit for bit, batching channels equals running them alone, the Fourier
// basis and the robustness resampling are exact and differentiable, and mistakes are one-line
// errors that say what would be valid.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "cam/methods/relu_rules.h"
#include "cam/render/image.h"
#include "cam/visualize/display.h"
#include "cam/visualize/feature_vis.h"
#include "cam/visualize/fourier.h"
#include "cam/visualize/transforms.h"
#include "nn/nn.h"
#include "tensor/error.h"
#include "tensor/ops.h"
#include "tests/cam/random_input_objective.h"

namespace camlab::cam::visualize {
namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a camlab::Error";
  return "";
}

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "missing \"" << part << "\" in: " << text;
}

// A fully convolutional net: conv1 (1 -> 8), relu1, conv2 (8 -> 8), relu2, gap, fc (8 -> 4).
std::shared_ptr<nn::Sequential> small_net(uint64_t seed = 5) {
  Generator gen(seed);
  auto net = std::make_shared<nn::Sequential>();
  net->add("conv1", std::make_shared<nn::Conv2d>(1, 8, 3, nn::Conv2dOptions{.padding = 1}, gen));
  net->add("relu1", std::make_shared<nn::ReLU>());
  net->add("conv2", std::make_shared<nn::Conv2d>(8, 8, 3, nn::Conv2dOptions{.padding = 1}, gen));
  net->add("relu2", std::make_shared<nn::ReLU>());
  net->add("gap", std::make_shared<nn::GlobalAvgPool>());
  net->add("fc", std::make_shared<nn::Linear>(8, 4, true, gen));
  return net;
}

// Its only conv is a vertical-edge detector: every row of the 3x3 kernel is [−1, 0, 1].
std::shared_ptr<nn::Sequential> edge_net() {
  auto conv = std::make_shared<nn::Conv2d>(1, 1, 3, nn::Conv2dOptions{.bias = false});
  {
    autograd::NoGradGuard no_grad;
    conv->weight.copy_(Tensor::from_vector<float>({-1, 0, 1, -1, 0, 1, -1, 0, 1}, {1, 1, 3, 3}));
  }
  auto net = std::make_shared<nn::Sequential>();
  net->add("edge", conv);
  net->add("relu", std::make_shared<nn::ReLU>());
  return net;
}

FeatureVisOptions channel_options(std::string layer, std::vector<int64_t> units) {
  FeatureVisOptions o = recipe("chollet");
  o.layer = std::move(layer);
  o.units = std::move(units);
  o.image_shape = {1, 16, 16};
  o.steps = 30;
  return o;
}

// A vertical-edge detector's three identical rows respond most when the horizontal gradient
// gx = x[y, x+1] − x[y, x−1] repeats from row to row (edges or stripes running vertically).
// Measured as the uncentred correlation Σ gx[y]·gx[y+1] / √(Σ gx[y]² · Σ gx[y+1]²) over the
// interior: 1 for vertical structure, about 0 for white noise.
struct EdgeStats {
  double row_correlation = 0;
  double horizontal_share = 0;  // Σ gx² / Σ (gx² + gy²): 0.5 for isotropic noise
};
EdgeStats vertical_edge_stats(const Tensor& image) {  // [H, W]
  const std::vector<double> v = host_values(image);
  const int64_t h = image.size(0);
  const int64_t w = image.size(1);
  auto gx = [&](int64_t y, int64_t x) { return v[y * w + x + 1] - v[y * w + x - 1]; };
  auto gy = [&](int64_t y, int64_t x) { return v[(y + 1) * w + x] - v[(y - 1) * w + x]; };
  double cross = 0, upper = 0, lower = 0, ex = 0, ey = 0;
  for (int64_t y = 1; y + 1 < h; ++y) {
    for (int64_t x = 1; x + 1 < w; ++x) {
      ex += gx(y, x) * gx(y, x);
      ey += gy(y, x) * gy(y, x);
      if (y + 2 < h) {
        cross += gx(y, x) * gx(y + 1, x);
        upper += gx(y, x) * gx(y, x);
        lower += gx(y + 1, x) * gx(y + 1, x);
      }
    }
  }
  return {.row_correlation = cross / std::sqrt(upper * lower), .horizontal_share = ex / (ex + ey)};
}

TEST(FeatureVis, EdgeDetectorSynthesizesVerticalEdges) {
  auto net = edge_net();
  const FeatureVisResult r = visualize_features(*net, channel_options("relu", {0}));
  const EdgeStats edges = vertical_edge_stats(r.images.select(0, 0).select(0, 0));
  std::printf(
      "[ edge    ] row-to-row correlation of horizontal gradients %.3f, horizontal share "
      "of gradient energy %.3f\n",
      edges.row_correlation, edges.horizontal_share);
  EXPECT_GT(edges.row_correlation, 0.5);
  EXPECT_GT(edges.horizontal_share, 0.5);
  EXPECT_GT(r.record.units[0].final_objective, 5 * r.record.units[0].start_objective);
}

// Lucid's redirected ReLU gradient: an image on which the unit is silent everywhere passes the
// gradients that would raise it; an image on which it fires somewhere keeps the plain rule.
TEST(FeatureVis, RedirectedReluWakesOnlySilentImages) {
  Tensor x = Tensor::from_vector<float>({-1, -2, -3, 1, -1, 2}, {2, 3});  // image 0 silent
  x.set_requires_grad(true);
  Tensor y = rule_relu(x, ReluRule::Redirected);
  EXPECT_EQ(host_values(y), (std::vector<double>{0, 0, 0, 1, 0, 2}));  // forward is max(x, 0)
  Tensor dy = Tensor::from_vector<float>({0.5f, -1, 2, 3, 4, -5}, {2, 3});
  Tensor dx = autograd::grad({camlab::sum(camlab::mul(y, dy))}, {x})[0];
  // image 0: dY where dY > 0 (all x <= 0); image 1: dY · 1[x > 0]
  EXPECT_EQ(host_values(dx), (std::vector<double>{0.5, 0, 2, 3, 0, -5}));
}

TEST(FeatureVis, ChannelObjectiveEndsFiveTimesAboveRandomInputs) {
  auto net = small_net();
  FeatureVisOptions o = channel_options("relu2", parse_units("0:8"));
  o.steps = 80;
  const std::vector<double> baseline = random_input_objective(*net, o, 4, /*first_seed=*/1000);
  const FeatureVisRecord r = visualize_features(*net, o).record;
  ASSERT_EQ(r.units.size(), 8u);
  for (const UnitRecord& u : r.units) {
    std::printf("[ channel ] relu2:%lld random %.4f start %.4f final %.4f (%.1fx)\n",
                static_cast<long long>(u.unit), baseline[u.image], u.start_objective,
                u.final_objective, u.final_objective / baseline[u.image]);
    EXPECT_GT(u.final_objective, 5 * baseline[u.image]) << "channel " << u.unit;
    EXPECT_GT(u.final_objective, u.start_objective) << "channel " << u.unit;
  }
}

TEST(FeatureVis, EachRegularizerLowersItsOwnPenalty) {
  auto net = small_net();
  const FeatureVisOptions plain = channel_options("relu2", {0, 1, 2, 3});
  const PenaltyValues free = visualize_features(*net, plain).record.final_penalties;
  FeatureVisOptions l1 = plain, l2 = plain, tv = plain, blur = plain;
  l1.l1 = 5;
  l2.l2 = 5;
  tv.tv = 5;
  blur.blur_sigma = 1.0;
  blur.blur_every = 2;
  const double with_l1 = visualize_features(*net, l1).record.final_penalties.l1;
  const double with_l2 = visualize_features(*net, l2).record.final_penalties.l2;
  const double with_tv = visualize_features(*net, tv).record.final_penalties.tv;
  const double with_blur = visualize_features(*net, blur).record.final_penalties.tv;
  std::printf("[ penalty ] l1 %.4f -> %.4f, l2 %.4f -> %.4f, tv %.4f -> %.4f, blur(tv) -> %.4f\n",
              free.l1, with_l1, free.l2, with_l2, free.tv, with_tv, with_blur);
  EXPECT_LT(with_l1, 0.9 * free.l1);
  EXPECT_LT(with_l2, 0.9 * free.l2);
  EXPECT_LT(with_tv, 0.9 * free.tv);
  EXPECT_LT(with_blur, 0.9 * free.tv);
}

TEST(FeatureVis, SameSeedSamePixelsOtherSeedOtherPixels) {
  auto net = small_net();
  FeatureVisOptions o = recipe("lucid");  // Fourier, Adam and random transforms every step
  o.layer = "relu2";
  o.units = {0, 3};
  o.image_shape = {1, 16, 16};
  o.steps = 8;
  o.octaves = 2;
  o.blur_sigma = 0.5;
  const std::vector<double> first = host_values(visualize_features(*net, o).images);
  const std::vector<double> again = host_values(visualize_features(*net, o).images);
  EXPECT_EQ(first, again);
  o.seed = 1;
  const std::vector<double> other = host_values(visualize_features(*net, o).images);
  EXPECT_NE(first, other);
}

TEST(FeatureVis, BatchingChannelsEqualsRunningThemAlone) {
  auto net = small_net();
  Generator gen(2);
  FeatureVisOptions o = channel_options("relu2", {0, 5, 2});
  o.start_image = ops::mul(ops::randn({1, 16, 16}, gen), 0.1);
  o.steps = 10;
  const Tensor together = visualize_features(*net, o).images;  // [3, 1, 16, 16]
  o.units = {5};
  const Tensor alone = visualize_features(*net, o).images;  // [1, 1, 16, 16]
  const std::vector<double> a = host_values(together.select(0, 1));
  const std::vector<double> b = host_values(alone.select(0, 0));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4) << "pixel " << i;
}

TEST(FeatureVis, ObjectivesRiseForNeuronClassDiversityAndDeepDream) {
  auto net = small_net();
  FeatureVisOptions neuron = channel_options("conv2", {1, 6});
  neuron.objective = Objective::Neuron;
  for (const UnitRecord& u : visualize_features(*net, neuron).record.units) {
    EXPECT_GT(u.final_objective, u.start_objective + 0.5) << "neuron " << u.unit;
  }

  // Class 2 of this random net scores mostly negative channels (its best is near its bias), so
  // the three others; a small λ, as a random net's logits move little.
  FeatureVisOptions cls = channel_options("", {0, 1, 3});
  cls.objective = Objective::Class;
  cls.class_l2 = 0.01;
  cls.steps = 60;
  const FeatureVisRecord c = visualize_features(*net, cls).record;
  EXPECT_EQ(c.layer, "");
  for (const UnitRecord& u : c.units) {
    EXPECT_GT(u.final_objective, u.start_objective + 0.1) << "class " << u.unit;
  }
  // Simonyan's λ‖x‖² keeps the image small.
  cls.class_l2 = 10;
  EXPECT_LT(visualize_features(*net, cls).record.final_penalties.l2, 0.5 * c.final_penalties.l2);

  FeatureVisOptions dream = channel_options("relu2", {});
  dream.objective = Objective::DeepDream;
  Generator gen(4);
  dream.start_image = ops::randn({1, 20, 18}, gen);
  dream.octaves = 2;
  dream.steps = 10;
  const FeatureVisResult d = visualize_features(*net, dream);
  EXPECT_EQ(d.images.shape(), (Shape{1, 1, 20, 18}));
  EXPECT_EQ(d.record.units[0].unit, -1);
  EXPECT_GT(d.record.units[0].final_objective, 2 * d.record.units[0].start_objective);
}

TEST(FeatureVis, DiversityPenaltyKeepsTheBatchApart) {
  auto net = small_net();
  FeatureVisOptions o = recipe("lucid");
  o.objective = Objective::Diversity;
  o.layer = "relu2";
  o.units = {2};
  o.batch = 3;
  o.image_shape = {1, 16, 16};
  o.steps = 20;
  o.diversity = 0;
  const FeatureVisRecord same = visualize_features(*net, o).record;
  o.diversity = 1e2;
  const FeatureVisRecord apart = visualize_features(*net, o).record;
  ASSERT_EQ(apart.units.size(), 3u);
  for (const UnitRecord& u : apart.units) EXPECT_EQ(u.unit, 2);
  std::printf("[ divers. ] Gram similarity sum: without %.3f, with penalty %.3f (start %.3f)\n",
              same.final_diversity, apart.final_diversity, apart.start_diversity);
  EXPECT_LT(apart.final_diversity, same.final_diversity);
}

TEST(FeatureVis, OctavesEndAtTheRequestedSize) {
  auto net = small_net();
  FeatureVisOptions o = channel_options("relu2", {0});
  o.octaves = 3;
  o.steps = 5;
  const FeatureVisResult r = visualize_features(*net, o);
  EXPECT_EQ(r.images.shape(), (Shape{1, 1, 16, 16}));
  EXPECT_EQ(r.record.image_shape, (std::vector<int64_t>{1, 16, 16}));
}

TEST(FeatureVis, ValueRangeBoundsEveryPixel) {
  auto net = small_net();
  FeatureVisOptions o = recipe("lucid");
  o.layer = "relu2";
  o.units = {0, 1};
  o.image_shape = {1, 16, 16};
  o.steps = 30;
  o.value_range = ValueRange{-0.5, 1.5};
  const FeatureVisResult r = visualize_features(*net, o);
  EXPECT_EQ(r.record.value_range, (std::vector<double>{-0.5, 1.5}));
  for (double v : host_values(r.images)) {
    ASSERT_GE(v, -0.5);
    ASSERT_LE(v, 1.5);
  }
  EXPECT_GT(r.record.units[0].final_objective, r.record.units[0].start_objective);
}

TEST(FeatureVis, LeavesTheModelsGradientsAndModesAlone) {
  auto net = small_net();
  net->train();
  net->find("conv1").eval();
  visualize_features(*net, channel_options("relu2", {0}));
  for (const Tensor& p : net->parameters()) EXPECT_FALSE(p.grad().defined());
  EXPECT_TRUE(net->is_training());
  EXPECT_FALSE(net->find("conv1").is_training());
  EXPECT_TRUE(net->find("conv2").is_training());
}

TEST(FeatureVis, FourierBasisRoundTripsAndIsDifferentiable) {
  Generator gen(8);
  for (auto [h, w] : {std::pair<int64_t, int64_t>{7, 6}, {8, 5}, {16, 16}}) {
    FourierBasis basis(h, w, DType::Float64, Device::cpu());
    const Tensor images = ops::randn({2, 3, h, w}, gen, DType::Float64);
    const Tensor spectrum = basis.from_image(images);
    EXPECT_EQ(spectrum.shape(), (Shape{2, 2, 3, h, w / 2 + 1}));
    const std::vector<double> back = host_values(basis.to_image(spectrum));
    const std::vector<double> want = host_values(images);
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_NEAR(back[i], want[i], 1e-10) << h << "x" << w << " element " << i;
    }
  }
  FourierBasis small(4, 5, DType::Float64, Device::cpu());
  const Tensor spectrum = ops::randn({1, 2, 1, 4, 3}, gen, DType::Float64).set_requires_grad(true);
  const auto check = autograd::gradcheck(
      [&](const std::vector<Tensor>& in) { return small.to_image(in[0]); }, {spectrum});
  EXPECT_TRUE(check.ok) << check.message;
}

TEST(FeatureVis, AffineResampleIsExactForShiftsAndDifferentiable) {
  Generator gen(9);
  const Tensor image = ops::randn({1, 2, 6, 7}, gen, DType::Float64);
  EXPECT_EQ(host_values(affine_resample(image, {})), host_values(image));
  // A shift by (+1, +2) px: output (y, x) shows input (y − 2, x − 1).
  const Tensor moved = affine_resample(image, {.shift_x = 1, .shift_y = 2});
  EXPECT_DOUBLE_EQ(moved.at<double>({0, 1, 4, 5}), image.at<double>({0, 1, 2, 4}));
  const Tensor x = image.clone().set_requires_grad(true);
  const AffineDraw t{.shift_x = 0.3, .shift_y = -0.6, .zoom = 1.07, .angle = 0.15};
  const auto check = autograd::gradcheck(
      [&](const std::vector<Tensor>& in) { return affine_resample(in[0], t); }, {x});
  EXPECT_TRUE(check.ok) << check.message;
}

TEST(FeatureVis, GaussianBlurKeepsConstantsAndSmoothsNoise) {
  Generator gen(10);
  const std::vector<double> flat = host_values(gaussian_blur(ops::full({1, 1, 9, 9}, 2.0), 1.0));
  for (double v : flat) EXPECT_NEAR(v, 2.0, 1e-6);
  const Tensor noise = ops::randn({1, 1, 16, 16}, gen);
  EXPECT_LT(ops::std(gaussian_blur(noise, 1.0)).item(), 0.6 * ops::std(noise).item());
}

TEST(FeatureVis, GridShowsEveryImageStandardized) {
  auto net = small_net();
  FeatureVisOptions o = channel_options("relu2", {0, 1, 2});
  o.steps = 3;
  const FeatureVisResult r = visualize_features(*net, o);
  const FeatureGridOptions grid_options{.columns = 2, .min_cell = 32, .padding = 4};
  const render::RgbImage grid = feature_grid(r, grid_options);
  const render::RgbImage first =
      render::upscale(standardized_rgb(r.images.select(0, 0)), 2, render::Resample::Nearest);
  const int64_t top = 4 + 9 + 4;  // padding, one title line of 9 rows, tile padding
  ASSERT_GE(grid.width, 4 + 2 * (32 + 4));
  for (int64_t y = 0; y < first.height; ++y) {
    for (int64_t x = 0; x < first.width; ++x) {
      ASSERT_EQ(grid.pixel(4 + x, top + y), first.pixel(x, y)) << "at " << x << "," << y;
    }
  }
}

TEST(FeatureVis, ErrorsSayWhatWouldBeValid) {
  auto net = small_net();
  expect_contains(error_of([&] { visualize_features(*net, channel_options("conv9", {0})); }),
                  "visualize: no layer 'conv9' in the model; valid layers: conv1, relu1, conv2, "
                  "relu2, gap, fc");
  expect_contains(error_of([&] {
                    visualize_features(*net, channel_options("relu2", {0, 12}));
                  }),
                  "channel 12 is out of range for layer 'relu2', which has 8 channels (valid "
                  "0..7)");
  const std::string flat = error_of([&] { visualize_features(*net, channel_options("fc", {0})); });
  expect_contains(flat,
                  "the channel objective needs a spatial output [N, C, H, W], but layer "
                  "'fc' gives [1, 4]");
  expect_contains(flat, "conv1, relu1, conv2, relu2");
  FeatureVisOptions cls = channel_options("", {4});
  cls.objective = Objective::Class;
  expect_contains(error_of([&] { visualize_features(*net, cls); }),
                  "class 4 is out of range: the model gives 4 logits (valid 0..3)");
  FeatureVisOptions dream = channel_options("relu2", {});
  dream.objective = Objective::DeepDream;
  expect_contains(error_of([&] { visualize_features(*net, dream); }),
                  "the deepdream objective starts from an image");
  expect_contains(error_of([] { parse_objective("dream"); }),
                  "valid objectives: channel, neuron, class, deepdream, diversity");
  expect_contains(error_of([] { parse_units("3:1"); }), "range '3:1' in units '3:1' is empty");
  expect_contains(error_of([] { parse_units("0:x"); }), "'x' in units '0:x'");
  EXPECT_EQ(parse_units("0:4,7,9:11"), (std::vector<int64_t>{0, 1, 2, 3, 7, 9, 10}));
}

TEST(FeatureVis, OctavesOnAFixedSizeModelAskForOneOctave) {
  Generator gen(6);
  auto net = std::make_shared<nn::Sequential>();
  net->add("conv1", std::make_shared<nn::Conv2d>(1, 2, 3, nn::Conv2dOptions{.padding = 1}, gen));
  net->add("flat", std::make_shared<nn::Flatten>());
  net->add("fc", std::make_shared<nn::Linear>(2 * 16 * 16, 3, true, gen));
  FeatureVisOptions o = channel_options("", {0});
  o.objective = Objective::Class;
  o.octaves = 2;
  expect_contains(error_of([&] { visualize_features(*net, o); }), "needs --octaves 1");
}

}  // namespace
}  // namespace camlab::cam::visualize
