// Spearman's ρ and Pearson's r on vectors whose answers are worked out by hand in the comments.
#include "cam/metrics/spearman.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"

namespace camlab::cam {
namespace {

TEST(Ranks, TiesShareTheirMeanRank) {
  // Sorted: 1 (rank 1), 3 3 (ranks 2 and 3 -> 2.5), 7 (rank 4).
  const std::vector<double> r = ranks(std::vector<double>{3, 1, 7, 3});
  EXPECT_EQ(r, (std::vector<double>{2.5, 1, 4, 2.5}));
  EXPECT_EQ(ranks(std::vector<double>{5, 5, 5}), (std::vector<double>{2, 2, 2}));
}

TEST(Spearman, WithoutTiesMatchesTheRankDifferenceFormula) {
  // ρ = 1 − 6 Σd² / (n (n² − 1)): ranks (1 2 3 4) vs (4 3 1 2), d = (−3 −1 2 2), Σd² = 18,
  // ρ = 1 − 108 / 60 = −0.8.
  const Tensor a = Tensor::from_vector<float>({0.1f, 0.2f, 0.3f, 0.4f}, {2, 2});
  const Tensor b = Tensor::from_vector<float>({9, 5, 1, 2}, {2, 2});
  EXPECT_NEAR(spearman(a, b), -0.8, 1e-12);
}

TEST(Spearman, WithTiesIsPearsonOfAverageRanks) {
  // b = (5 6 7 8 7) ranks (1 2 3.5 5 3.5); deviations from 3: a (−2 −1 0 1 2), b (−2 −1 .5 2 .5);
  // Σ = 8, Σa² = 10, Σb² = 9.5, ρ = 8 / √95 (scipy.stats.spearmanr gives 0.8207826816681233).
  const Tensor a = Tensor::from_vector<double>({1, 2, 3, 4, 5}, {5});
  const Tensor b = Tensor::from_vector<double>({5, 6, 7, 8, 7}, {5});
  EXPECT_NEAR(spearman(a, b), 8 / std::sqrt(95.0), 1e-12);
  EXPECT_NEAR(spearman(a, b), 0.8207826816681233, 1e-12);
}

TEST(Spearman, MonotoneMapsAgreeAndReversedOnesDisagree) {
  Generator gen(3);
  const Tensor x = ops::rand({7, 9}, gen);
  EXPECT_NEAR(spearman(x, ops::exp(ops::mul(x, 5.0))), 1.0, 1e-12);  // same order
  EXPECT_NEAR(spearman(x, ops::neg(x)), -1.0, 1e-12);
}

TEST(Pearson, HandValuesAndConstantVectors) {
  // x = (1 2 3), y = (2 4 7): deviations (−1 0 1), (−2.33 −0.33 2.67); Σxy = 5, Σx² = 2,
  // Σy² = 12.667; r = 5 / √25.333.
  EXPECT_NEAR(pearson(std::vector<double>{1, 2, 3}, std::vector<double>{2, 4, 7}),
              5 / std::sqrt(2 * (38.0 / 3)), 1e-12);
  // No variance, no order: 1 only against an identical vector.
  EXPECT_EQ(pearson(std::vector<double>{2, 2}, std::vector<double>{2, 2}), 1.0);
  EXPECT_EQ(pearson(std::vector<double>{2, 2}, std::vector<double>{1, 3}), 0.0);
}

TEST(Spearman, MismatchedSizesAreAnErrorNamingBoth) {
  try {
    spearman(ops::zeros({2, 2}), ops::zeros({3}));
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("4 and 3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace camlab::cam
