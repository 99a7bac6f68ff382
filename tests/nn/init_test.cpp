// Initialisation: gains, fans, the statistics of each scheme and PyTorch's default bounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

using test::values;

struct Stats {
  double mean = 0, std = 0, min = 0, max = 0;
};

Stats stats_of(const Tensor& t) {
  const std::vector<double> v = values(t);
  Stats s{.min = *std::min_element(v.begin(), v.end()),
          .max = *std::max_element(v.begin(), v.end())};
  for (double x : v) s.mean += x / static_cast<double>(v.size());
  for (double x : v) s.std += (x - s.mean) * (x - s.mean) / static_cast<double>(v.size());
  s.std = std::sqrt(s.std);
  return s;
}

TEST(Init, GainsAndFansFollowPyTorch) {
  using init::Nonlinearity;
  EXPECT_DOUBLE_EQ(init::calculate_gain(Nonlinearity::Linear), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain(Nonlinearity::Tanh), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain(Nonlinearity::ReLU), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain(Nonlinearity::LeakyReLU, std::sqrt(5.0)),
                   std::sqrt(1.0 / 3.0));
  auto [fan_in, fan_out] = init::fan_in_and_fan_out(ops::zeros({16, 8, 3, 3}));
  EXPECT_EQ(fan_in, 72);
  EXPECT_EQ(fan_out, 144);
  EXPECT_ERROR_CONTAINS(init::fan_in_and_fan_out(ops::zeros({5})), "at least 2 dims", "[5]");
}

TEST(Init, KaimingNormalHasTheHeStd) {
  Generator gen(0);
  Tensor w = ops::zeros({64, 32, 3, 3});  // 18432 draws: the std is known to about 0.5%
  init::kaiming_normal_(w, gen, {.nonlinearity = init::Nonlinearity::ReLU});
  const Stats s = stats_of(w);
  const double want = std::sqrt(2.0 / (32 * 9));
  EXPECT_NEAR(s.std / want, 1.0, 0.03);
  EXPECT_NEAR(s.mean, 0.0, 3 * want / std::sqrt(18432.0));
  init::kaiming_normal_(w, gen,
                        {.mode = init::FanMode::FanOut, .nonlinearity = init::Nonlinearity::ReLU});
  EXPECT_NEAR(stats_of(w).std / std::sqrt(2.0 / (64 * 9)), 1.0, 0.03);
}

TEST(Init, UniformSchemesStayInTheirBounds) {
  Generator gen(1);
  Tensor w = ops::zeros({100, 200});
  init::kaiming_uniform_(w, gen, {.nonlinearity = init::Nonlinearity::ReLU});
  double bound = std::sqrt(2.0) * std::sqrt(3.0 / 200);
  Stats s = stats_of(w);
  EXPECT_GE(s.min, -bound);
  EXPECT_LE(s.max, bound);
  EXPECT_GT(s.max, 0.99 * bound);  // the whole interval is used
  EXPECT_NEAR(s.std / (bound / std::sqrt(3.0)), 1.0, 0.03);

  init::xavier_uniform_(w, gen);
  bound = std::sqrt(6.0 / 300);
  s = stats_of(w);
  EXPECT_GE(s.min, -bound);
  EXPECT_LE(s.max, bound);
  EXPECT_NEAR(s.std / (bound / std::sqrt(3.0)), 1.0, 0.03);

  init::xavier_normal_(w, gen, 2.0);
  EXPECT_NEAR(stats_of(w).std / (2.0 * std::sqrt(2.0 / 300)), 1.0, 0.03);
}

TEST(Init, ConstantsAndDeterminism) {
  Tensor w = ops::full({3, 4}, 7.0);
  init::zeros_(w);
  EXPECT_EQ(values(w), std::vector<double>(12, 0.0));
  init::ones_(w);
  EXPECT_EQ(values(w), std::vector<double>(12, 1.0));
  init::constant_(w, 0.5);
  EXPECT_EQ(values(w), std::vector<double>(12, 0.5));
  Generator a(3), b(3);
  Tensor x = ops::zeros({8, 8}), y = ops::zeros({8, 8});
  init::kaiming_normal_(x, a);
  init::kaiming_normal_(y, b);
  EXPECT_EQ(values(x), values(y));
}

TEST(Init, InPlaceKeepsTheTensorIdentity) {
  Generator gen(4);
  Linear fc(10, 5, true, gen);
  Tensor handle = fc.weight;
  init::xavier_uniform_(fc.weight, gen);
  EXPECT_TRUE(handle.same(fc.weight));
  EXPECT_TRUE(fc.weight.requires_grad());
  EXPECT_TRUE(fc.weight.is_leaf());
}

TEST(Init, LayerDefaultsUseOneOverSqrtFanIn) {
  Generator gen(5);
  Conv2d conv(16, 32, 3, {}, gen);  // fan_in 144
  const double bound = 1.0 / 12.0;
  for (const Tensor& t : {conv.weight, conv.bias}) {
    const Stats s = stats_of(t);
    EXPECT_GE(s.min, -bound);
    EXPECT_LE(s.max, bound);
  }
  EXPECT_NEAR(stats_of(conv.weight).std / (bound / std::sqrt(3.0)), 1.0, 0.05);
  Linear fc(400, 10, true, gen);
  const Stats s = stats_of(fc.weight);
  EXPECT_GE(s.min, -0.05);
  EXPECT_LE(s.max, 0.05);
  EXPECT_GT(s.max, 0.049);
  // BatchNorm starts as the identity map.
  BatchNorm2d bn(3);
  EXPECT_EQ(values(bn.weight), (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(values(bn.bias), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(values(bn.running_var), (std::vector<double>{1, 1, 1}));
}

}  // namespace
}  // namespace camlab::nn
