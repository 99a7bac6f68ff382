// A small convolutional net with batch norm for the sync-batch-norm data-parallel test.
//
//   auto net = test::bn_net(/*seed=*/3);                 // conv 2->4, BN, ReLU, fc 64 -> 4
//   auto [x, y] = test::bn_data(/*n=*/64, /*seed=*/5);   // x: [64, 2, 4, 4] float, y: [64] int64
#pragma once

#include <memory>
#include <utility>

#include "nn/activation.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "tensor/ops.h"

namespace camlab::test {

inline std::shared_ptr<nn::Sequential> bn_net(uint64_t seed) {
  Generator gen(seed);
  auto net = std::make_shared<nn::Sequential>();
  net->add("conv", std::make_shared<nn::Conv2d>(2, 4, 3, nn::Conv2dOptions{.padding = 1}, gen));
  net->add("bn", std::make_shared<nn::BatchNorm2d>(4));
  net->add("relu", std::make_shared<nn::ReLU>());
  net->add("flatten", std::make_shared<nn::Flatten>());
  net->add("fc", std::make_shared<nn::Linear>(64, 4, true, gen));
  return net;
}

inline std::pair<Tensor, Tensor> bn_data(int64_t n, uint64_t seed) {
  Generator gen(seed);
  // Off-centre and scaled, so the batch statistics matter.
  Tensor x = ops::add(ops::mul(ops::randn({n, 2, 4, 4}, gen), 2.0), 0.5);  // [n, 2, 4, 4]
  std::vector<int64_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = (i * 5 + 1) % 4;
  return {x, Tensor::from_vector<int64_t>(labels, {n})};  // [n]
}

}  // namespace camlab::test
