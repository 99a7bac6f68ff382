// A small net without batch norm for the data-parallel tests, and its deterministic data.
//
//   auto net = test::mlp(/*seed=*/3);                   // 8 -> 16 -> 16 -> 4, ReLU between
//   auto [x, y] = test::mlp_data(/*n=*/64, /*seed=*/5); // x: [64, 8] float, y: [64] int64
#pragma once

#include <memory>
#include <utility>

#include "nn/activation.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "tensor/ops.h"

namespace camlab::test {

inline std::shared_ptr<nn::Sequential> mlp(uint64_t seed) {
  Generator gen(seed);
  auto net = std::make_shared<nn::Sequential>();
  net->add("fc1", std::make_shared<nn::Linear>(8, 16, true, gen));
  net->add("relu1", std::make_shared<nn::ReLU>());
  net->add("fc2", std::make_shared<nn::Linear>(16, 16, true, gen));
  net->add("relu2", std::make_shared<nn::ReLU>());
  net->add("fc3", std::make_shared<nn::Linear>(16, 4, true, gen));
  return net;
}

inline std::pair<Tensor, Tensor> mlp_data(int64_t n, uint64_t seed) {
  Generator gen(seed);
  Tensor x = ops::randn({n, 8}, gen);  // [n, 8]
  std::vector<int64_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = (i * 7 + 3) % 4;
  return {x, Tensor::from_vector<int64_t>(labels, {n})};  // [n]
}

}  // namespace camlab::test
