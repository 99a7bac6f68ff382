// The per-layer-kind profile behind `camlab bench --model FILE --profile`: kinds named by their
// geometry, flops counted by formula, every layer timed once per forward.
#include "experiments/bench/layer_profile.h"

#include <gtest/gtest.h>

#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

const LayerKindTime& kind_named(const LayerProfile& p, const std::string& kind) {
  for (const LayerKindTime& k : p.kinds) {
    if (k.kind == kind) return k;
  }
  throw std::runtime_error("no kind " + kind);
}

TEST(LayerProfile, NamesConvolutionsByTheirGeometry) {
  EXPECT_EQ(conv_kind(7, 7, 2, 1, 3), "conv 7×7 s2");
  EXPECT_EQ(conv_kind(1, 1, 1, 1, 256), "conv 1×1");
  EXPECT_EQ(conv_kind(3, 3, 1, 32, 32), "depthwise 3×3");
  EXPECT_EQ(conv_kind(3, 3, 2, 32, 256), "grouped 3×3 s2");
}

TEST(LayerProfile, CountsFlopsAndLayersPerForward) {
  nn::Sequential net;
  net.add(std::make_shared<nn::Conv2d>(1, 4, 3, nn::Conv2dOptions{.padding = 1}));
  net.add(std::make_shared<nn::ReLU>());
  net.add(std::make_shared<nn::Conv2d>(4, 4, 3, nn::Conv2dOptions{.stride = 2, .groups = 4}));
  net.add(std::make_shared<nn::ReLU>());
  net.add(std::make_shared<nn::Flatten>());
  net.add(std::make_shared<nn::Linear>(4 * 3 * 3, 5));
  Generator gen(1);
  const Tensor images = ops::rand({2, 1, 8, 8}, gen);  // [2, 1, 8, 8]

  const LayerProfile p = profile_layers(net, images, {.warmup = 1, .steps = 3});
  // 2 · N · O · Ho · Wo · (C/g) · kh · kw
  EXPECT_DOUBLE_EQ(kind_named(p, "conv 3×3").gflop, 2.0 * 2 * 4 * 8 * 8 * 1 * 9 * 1e-9);
  EXPECT_DOUBLE_EQ(kind_named(p, "depthwise 3×3 s2").gflop, 2.0 * 2 * 4 * 3 * 3 * 1 * 9 * 1e-9);
  EXPECT_DOUBLE_EQ(kind_named(p, "linear").gflop, 2.0 * 2 * 5 * 36 * 1e-9);
  EXPECT_EQ(kind_named(p, "ReLU").layers, 2);  // per forward, not per round
  EXPECT_EQ(kind_named(p, "ReLU").gflop, 0);
  EXPECT_EQ(p.kinds.size(), 5u);
  double summed = 0;
  for (size_t i = 0; i < p.kinds.size(); ++i) {
    summed += p.kinds[i].seconds;
    if (i > 0) {
      EXPECT_GE(p.kinds[i - 1].seconds, p.kinds[i].seconds);  // slowest first
    }
  }
  EXPECT_GT(summed, 0);
  EXPECT_LE(summed, p.seconds);  // the layers run inside the whole forward
}

}  // namespace
}  // namespace camlab::experiments
