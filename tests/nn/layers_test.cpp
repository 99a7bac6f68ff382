// Each layer's forward against a direct call of the op it wraps, and the errors that name layers.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

using test::max_abs_diff;
using test::values;

TEST(Layers, Conv2dMatchesTheOpWithAllOptions) {
  Generator gen(1);
  Conv2d conv(4, 6, {3, 2}, {.stride = {2, 1}, .padding = 1, .dilation = {2, 1}, .groups = 2}, gen);
  EXPECT_EQ(conv.weight.shape(), (Shape{6, 2, 3, 2}));
  EXPECT_EQ(conv.bias.shape(), (Shape{6}));
  Tensor x = ops::randn({2, 4, 9, 7}, gen);
  Conv2dParams p{
      .kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 1}, .dilation = {2, 1}, .groups = 2};
  Tensor want = camlab::conv2d(x, conv.weight, conv.bias, p);
  Tensor got = conv(x);
  EXPECT_EQ(got.shape(), want.shape());
  EXPECT_EQ(max_abs_diff(got, want), 0.0);
  Conv2d no_bias(4, 6, 1, {.bias = false}, gen);
  EXPECT_FALSE(no_bias.bias.defined());
  EXPECT_EQ(no_bias.named_parameters().keys(), (std::vector<std::string>{"weight"}));
}

// GCC 12.2's SLP vectorizer with -march=native on Skylake-AVX512/Cascade Lake copies .stride into
// the skipped .padding here (repro: an aggregate of {h, w} structs with defaults, designated
// initializers skipping a middle member). -mtune=generic or -fno-tree-slp-vectorize avoids it.
TEST(Layers, Conv2dOptionsKeepDefaultsForSkippedFields) {
  Conv2d conv(2, 4, 1, {.stride = 2, .groups = 2, .bias = false});
  EXPECT_EQ(conv.params().stride, (std::array<int64_t, 2>{2, 2}));
  EXPECT_EQ(conv.params().padding, (std::array<int64_t, 2>{0, 0}))
      << "miscompiled designated initializer (see the comment above this test)";
  EXPECT_EQ(conv.params().dilation, (std::array<int64_t, 2>{1, 1}));
  EXPECT_EQ(conv.params().groups, 2);
}

TEST(Layers, ShapeErrorsNameTheLayerAndBothShapes) {
  Generator gen(0);
  Sequential net;
  net.add("conv1", std::make_shared<Conv2d>(1, 4, 3, Conv2dOptions{}, gen));
  net.add("bn1", std::make_shared<BatchNorm2d>(4));
  net.add("gap", std::make_shared<GlobalAvgPool>());
  net.add("fc", std::make_shared<Linear>(5, 2, true, gen));
  EXPECT_ERROR_CONTAINS(net(ops::zeros({2, 3, 8, 8})),
                        "conv2d: input has 3 channels but layer 'conv1' expects 1", "[2, 3, 8, 8]",
                        "[4, 1, 3, 3]");
  EXPECT_ERROR_CONTAINS(net(ops::zeros({2, 1, 8})), "conv2d", "'conv1'", "[2, 1, 8]");
  EXPECT_ERROR_CONTAINS(net(ops::zeros({2, 1, 8, 8})),
                        "linear: input has 4 features but layer 'fc' expects 5", "[2, 4]",
                        "[2, 5]");
  EXPECT_ERROR_CONTAINS(net.find("bn1")(ops::zeros({2, 3, 4, 4})),
                        "batch_norm: input has 3 channels but layer 'bn1' expects 4");
  EXPECT_ERROR_CONTAINS(MaxPool2d(2)(ops::zeros({4, 4})), "max_pool2d", "'MaxPool2d'", "[4, 4]");
}

TEST(Layers, LinearMatchesTheOpAndKeepsLeadingDims) {
  Generator gen(2);
  Linear fc(5, 3, true, gen);
  EXPECT_EQ(fc.weight.shape(), (Shape{3, 5}));
  Tensor x = ops::randn({4, 5}, gen);
  EXPECT_EQ(max_abs_diff(fc(x), camlab::linear(x, fc.weight, fc.bias)), 0.0);
  Tensor x3 = ops::randn({2, 4, 5}, gen);
  Tensor y3 = fc(x3);
  EXPECT_EQ(y3.shape(), (Shape{2, 4, 3}));
  Tensor rows = camlab::reshape(camlab::linear(x3.reshape({8, 5}), fc.weight, fc.bias), {2, 4, 3});
  EXPECT_LT(max_abs_diff(y3, rows), 1e-6);
}

TEST(Layers, ActivationsMatchTheirOps) {
  Generator gen(3);
  Tensor x = ops::randn({3, 4}, gen);
  EXPECT_EQ(values(ReLU()(x)), values(ops::relu(x)));
  EXPECT_EQ(values(LeakyReLU(0.2)(x)), values(ops::leaky_relu(x, 0.2)));
  EXPECT_EQ(values(ELU(0.5)(x)), values(ops::elu(x, 0.5)));
  EXPECT_EQ(values(GELU()(x)), values(ops::gelu(x)));
  EXPECT_EQ(values(Sigmoid()(x)), values(ops::sigmoid(x)));
  EXPECT_EQ(values(Tanh()(x)), values(ops::tanh(x)));
  EXPECT_EQ(values(Softmax(0)(x)), values(ops::softmax(x, 0)));
  EXPECT_EQ(values(Softmax(-1)(x)), values(ops::softmax(x, 1)));
  EXPECT_ERROR_CONTAINS(Softmax(2)(x), "softmax", "dim 2", "[3, 4]");
}

TEST(Layers, PoolsMatchTheirOps) {
  Generator gen(4);
  Tensor x = ops::randn({2, 3, 7, 6}, gen);
  const Pool2dParams p{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}};
  EXPECT_EQ(values(MaxPool2d(3, 2, 1)(x)), values(ops::max_pool2d(x, p).first));
  EXPECT_EQ(values(AvgPool2d(3, 2, 1)(x)), values(ops::avg_pool2d(x, p)));
  const Pool2dParams q{
      .kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}, .count_include_pad = false};
  EXPECT_EQ(values(AvgPool2d(3, 2, 1, false)(x)), values(ops::avg_pool2d(x, q)));
  EXPECT_EQ(MaxPool2d(2)(x).shape(), (Shape{2, 3, 3, 3}));  // stride defaults to the kernel
  EXPECT_EQ(values(AdaptiveAvgPool2d({2, 3})(x)), values(ops::adaptive_avg_pool2d(x, {2, 3})));
  Tensor gap = GlobalAvgPool()(x);
  EXPECT_EQ(gap.shape(), (Shape{2, 3}));
  EXPECT_LT(max_abs_diff(gap, ops::adaptive_avg_pool2d(x, {1, 1}).reshape({2, 3})), 1e-6);
  EXPECT_ERROR_CONTAINS(MaxPool2d(2, 2, 2), "padding (2, 2)", "half the kernel");
}

TEST(Layers, BatchNormTrainUsesBatchStatsAndUpdatesRunningStats) {
  Generator gen(5);
  BatchNorm2d bn(2, {.momentum = 0.25});
  {
    autograd::NoGradGuard no_grad;  // setting parameters is no step of the graph
    bn.weight.copy_(Tensor::from_vector<float>({2, 3}, {2}));
    bn.bias.copy_(Tensor::from_vector<float>({0.5, -1}, {2}));
  }
  Tensor x = ops::randn({3, 2, 2, 2}, gen);  // 12 values per channel
  Tensor y = bn(x);
  EXPECT_EQ(bn.num_batches_tracked.dtype(), DType::Int64);
  EXPECT_EQ(bn.num_batches_tracked.item(), 1.0);
  const std::vector<double> xs = values(x), ys = values(y);
  const double gamma[2] = {2, 3}, beta[2] = {0.5, -1};
  for (int64_t c = 0; c < 2; ++c) {
    std::vector<double> channel;
    std::vector<size_t> where;
    for (size_t i = 0; i < xs.size(); ++i) {
      if ((i / 4) % 2 == static_cast<size_t>(c)) {
        channel.push_back(xs[i]);
        where.push_back(i);
      }
    }
    double mean = 0, var = 0;
    for (double v : channel) mean += v / 12;
    for (double v : channel) var += (v - mean) * (v - mean) / 12;  // biased: normalises
    for (size_t k = 0; k < channel.size(); ++k) {
      const double want = (channel[k] - mean) / std::sqrt(var + 1e-5) * gamma[c] + beta[c];
      EXPECT_NEAR(ys[where[k]], want, 1e-5);
    }
    // running = (1 − m)·running + m·batch, with the unbiased variance.
    EXPECT_NEAR(values(bn.running_mean)[c], 0.25 * mean, 1e-6);
    EXPECT_NEAR(values(bn.running_var)[c], 0.75 + 0.25 * var * 12 / 11, 1e-6);
  }
}

TEST(Layers, BatchNormEvalUsesRunningStatsAndLeavesThem) {
  Generator gen(6);
  BatchNorm2d bn(2);
  bn.running_mean.copy_(Tensor::from_vector<float>({1, -1}, {2}));
  bn.running_var.copy_(Tensor::from_vector<float>({4, 0.25}, {2}));
  bn.eval();
  Tensor x = ops::randn({2, 2, 3, 3}, gen);
  Tensor y = bn(x);
  EXPECT_EQ(bn.num_batches_tracked.item(), 0.0);
  EXPECT_EQ(values(bn.running_mean), (std::vector<double>{1, -1}));
  const std::vector<double> xs = values(x), ys = values(y);
  for (size_t i = 0; i < xs.size(); ++i) {
    const bool c1 = (i / 9) % 2 == 1;
    const double want =
        c1 ? (xs[i] + 1) / std::sqrt(0.25 + 1e-5) : (xs[i] - 1) / std::sqrt(4 + 1e-5);
    EXPECT_NEAR(ys[i], want, 1e-5);
  }
  Tensor want = camlab::batch_norm(x, bn.weight, bn.bias, bn.running_mean, bn.running_var, false);
  EXPECT_EQ(max_abs_diff(y, want), 0.0);
}

TEST(Layers, DropoutFollowsModeAndSeed) {
  Tensor x = ops::ones({2000});
  Dropout a(0.25, 42), b(0.25, 42);
  Tensor ya = a(x), yb = b(x);
  EXPECT_EQ(values(ya), values(yb));  // same seed, same mask
  size_t zeros = 0;
  for (double v : values(ya)) {
    if (v == 0) {
      ++zeros;
    } else {
      EXPECT_NEAR(v, 1 / 0.75, 1e-6);
    }
  }
  EXPECT_NEAR(static_cast<double>(zeros) / 2000, 0.25, 0.04);
  EXPECT_NE(values(a(x)), values(ya));  // the generator advanced
  a.eval();
  EXPECT_EQ(values(a(x)), values(x));
  Generator shared(7);
  Dropout c(0.5, shared);
  c(x);
  EXPECT_GT(shared.offset(), 0u);  // draws come from the caller's generator
  EXPECT_ERROR_CONTAINS(Dropout(1.5), "Dropout", "1.5");
}

TEST(Layers, FlattenIdentityAndUpsample) {
  Generator gen(8);
  Tensor x = ops::randn({2, 3, 4, 5}, gen);
  EXPECT_EQ(Flatten()(x).shape(), (Shape{2, 60}));
  EXPECT_EQ(Flatten(2)(x).shape(), (Shape{2, 3, 20}));
  EXPECT_EQ(values(Flatten()(x)), values(x));
  EXPECT_TRUE(Identity()(x).same(x));
  Upsample bilinear({.scale_factor = 2, .mode = UpsampleMode::Bilinear});
  EXPECT_EQ(values(bilinear(x)), values(ops::upsample_bilinear2d(x, {8, 10}, false)));
  Upsample nearest({.size = Size2{7, 9}});
  EXPECT_EQ(values(nearest(x)), values(ops::upsample_nearest2d(x, {7, 9})));
  Upsample corners({.size = Size2{6, 6}, .mode = UpsampleMode::Bilinear, .align_corners = true});
  EXPECT_EQ(values(corners(x)), values(ops::upsample_bilinear2d(x, {6, 6}, true)));
  EXPECT_EQ(Upsample({.scale_factor = 1.5}).output_size(5, 4), (std::array<int64_t, 2>{7, 6}));
  EXPECT_ERROR_CONTAINS(Upsample({}), "Upsample", "exactly one of size and");
}

TEST(Layers, ResidualBlockUsesBasicBlockNamesAndMath) {
  Generator gen(9);
  ResidualBlock down(2, 4, 2, gen);
  EXPECT_EQ(down.named_parameters().keys(),
            (std::vector<std::string>{"conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight",
                                      "bn2.weight", "bn2.bias", "downsample.0.weight",
                                      "downsample.1.weight", "downsample.1.bias"}));
  EXPECT_TRUE(down.state_dict().contains("downsample.1.running_var"));
  EXPECT_EQ(down.conv1->weight.shape(), (Shape{4, 2, 3, 3}));
  ResidualBlock same(4, 4, 1, gen);
  EXPECT_EQ(same.downsample, nullptr);
  EXPECT_FALSE(same.state_dict().contains("downsample.0.weight"));

  down.eval();
  Tensor x = ops::randn({2, 2, 6, 6}, gen);
  Tensor y = down(x);
  EXPECT_EQ(y.shape(), (Shape{2, 4, 3, 3}));
  auto bn = [](const BatchNorm2d& m, const Tensor& t) {
    return camlab::batch_norm(t, m.weight, m.bias, m.running_mean, m.running_var, false);
  };
  const Conv2d& proj = down.find_as<Conv2d>("downsample.0");
  Tensor main =
      bn(*down.bn2,
         camlab::conv2d(camlab::relu(bn(*down.bn1, camlab::conv2d(x, down.conv1->weight, Tensor(),
                                                                  down.conv1->params()))),
                        down.conv2->weight, Tensor(), down.conv2->params()));
  Tensor shortcut = bn(down.find_as<BatchNorm2d>("downsample.1"),
                       camlab::conv2d(x, proj.weight, Tensor(), proj.params()));
  EXPECT_LT(max_abs_diff(y, camlab::relu(camlab::add(main, shortcut))), 1e-5);
}

}  // namespace
}  // namespace camlab::nn
