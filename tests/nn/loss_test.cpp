// Loss objects: each equals the differentiable function it wraps, and checks its arguments.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

using test::values;

TEST(Loss, CrossEntropyWithWeightAndSmoothingEqualsTheFunction) {
  Generator gen(0);
  Tensor logits = ops::randn({5, 4}, gen);
  Tensor target = Tensor::from_vector<int64_t>({0, 3, 1, 1, 2}, {5});
  Tensor weight = Tensor::from_vector<float>({1, 2, 0.5, 1}, {4});
  EXPECT_EQ(CrossEntropyLoss()(logits, target).item(),
            camlab::cross_entropy(logits, target).item());
  EXPECT_EQ(CrossEntropyLoss(weight, 0.1)(logits, target).item(),
            camlab::cross_entropy(logits, target, weight, 0.1).item());
  // By hand for the plain case: mean of logsumexp − logit[target].
  const std::vector<double> z = values(logits);
  double want = 0;
  for (int n = 0; n < 5; ++n) {
    double sum = 0;
    for (int c = 0; c < 4; ++c) sum += std::exp(z[n * 4 + c]);
    want += (std::log(sum) - z[n * 4 + values(target)[n]]) / 5;
  }
  EXPECT_NEAR(CrossEntropyLoss()(logits, target).item(), want, 1e-5);
  EXPECT_EQ(CrossEntropyLoss(weight, 0.1).str(),
            "CrossEntropyLoss(weight=[4], label_smoothing=0.1)");
  EXPECT_ERROR_CONTAINS(CrossEntropyLoss(ops::ones({3}))(logits, target), "weight has 3 classes",
                        "[5, 4]");
}

TEST(Loss, NllBceAndMseEqualTheirFunctions) {
  Generator gen(1);
  Tensor logits = ops::randn({3, 4}, gen);
  Tensor log_probs = ops::log_softmax(logits, 1);
  Tensor target = Tensor::from_vector<int64_t>({2, 0, 3}, {3});
  EXPECT_EQ(NLLLoss()(log_probs, target).item(), camlab::nll_loss(log_probs, target).item());
  EXPECT_NEAR(NLLLoss()(log_probs, target).item(), CrossEntropyLoss()(logits, target).item(), 1e-6);

  Tensor multi_hot = Tensor::from_vector<float>({1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1}, {3, 4});
  EXPECT_EQ(BCEWithLogitsLoss()(logits, multi_hot).item(),
            camlab::binary_cross_entropy_with_logits(logits, multi_hot).item());
  const std::vector<double> z = values(logits), t = values(multi_hot);
  double bce = 0;
  for (size_t i = 0; i < z.size(); ++i) {
    const double p = 1 / (1 + std::exp(-z[i]));
    bce -= (t[i] * std::log(p) + (1 - t[i]) * std::log(1 - p)) / 12;
  }
  EXPECT_NEAR(BCEWithLogitsLoss()(logits, multi_hot).item(), bce, 1e-5);

  Tensor other = ops::randn({3, 4}, gen);
  EXPECT_EQ(MSELoss()(logits, other).item(), camlab::mse_loss(logits, other).item());
  EXPECT_ERROR_CONTAINS(MSELoss()(logits, ops::zeros({4, 3})), "MSELoss", "[3, 4]", "[4, 3]");
}

TEST(Loss, GradientsFlowThroughTheWrapper) {
  Generator gen(2);
  Tensor logits = ops::randn({2, 3}, gen).set_requires_grad(true);
  Tensor target = Tensor::from_vector<int64_t>({1, 2}, {2});
  camlab::backward(CrossEntropyLoss()(logits, target));
  ASSERT_TRUE(logits.grad().defined());
  // d/dz of mean CE = (softmax − one_hot) / N
  const std::vector<double> p = values(ops::softmax(camlab::detach(logits), 1)),
                            g = values(logits.grad());
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 3; ++c) {
      const double onehot = c == (n == 0 ? 1 : 2) ? 1.0 : 0.0;
      EXPECT_NEAR(g[n * 3 + c], (p[n * 3 + c] - onehot) / 2, 1e-6);
    }
  }
}

}  // namespace
}  // namespace camlab::nn
