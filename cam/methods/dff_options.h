// Deep Feature Factorization's own options (Collins et al. 2018): how many concepts, how long the
// factorization runs, which layer scores the concepts, and the seed of its initialisation.
//
//   Dff dff(*model, {.layers = {"relu4"}}, DffOptions{.concepts = 8, .classifier = "fc"});
#pragma once

#include <cstdint>
#include <string>

namespace camlab::cam {

struct DffOptions {
  int64_t concepts = 5;      // k, > 0: pytorch-grad-cam's dff() default
  int64_t iterations = 200;  // multiplicative updates, > 0: scikit-learn's NMF max_iter
  // The Linear layer (dotted name) that turns a concept vector [C] into class scores; empty: the
  // last Linear whose input size is the target layer's channel count (a GAP + linear head's fc).
  std::string classifier;
  uint64_t seed = 0;  // of the initial factors; successive calls continue the stream
};

}  // namespace camlab::cam
