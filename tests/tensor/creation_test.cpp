// Creation ops and the seeded generator.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/ops.h"

namespace camlab {
namespace {

TEST(Creation, RangesAndConstants) {
  Tensor a = ops::arange(1, 2, 0.25);
  ASSERT_EQ(a.shape(), (Shape{4}));
  EXPECT_FLOAT_EQ(a.at<float>({3}), 1.75f);
  Tensor l = ops::linspace(0, 1, 5, DType::Float64);
  EXPECT_DOUBLE_EQ(l.at<double>({4}), 1.0);
  Tensor e = ops::eye(3);
  EXPECT_EQ(e.at<float>({1, 1}), 1.0f);
  EXPECT_EQ(e.at<float>({1, 2}), 0.0f);
  EXPECT_EQ(ops::full({2, 2}, 7, DType::Int64).at<int64_t>({1, 0}), 7);
  EXPECT_EQ(ops::scalar(3.5).dim(), 0);
  EXPECT_DOUBLE_EQ(ops::scalar(3.5).item(), 3.5);
}

TEST(Creation, SameSeedSameNumbers) {
  Generator g1(42), g2(42), g3(43);
  Tensor a = ops::randn({1000}, g1);
  Tensor b = ops::randn({1000}, g2);
  Tensor c = ops::randn({1000}, g3);
  EXPECT_EQ(0, std::memcmp(a.raw_data(), b.raw_data(), 4000));
  EXPECT_NE(0, std::memcmp(a.raw_data(), c.raw_data(), 4000));
  // The stream advances: a second draw differs from the first.
  Tensor a2 = ops::randn({1000}, g1);
  EXPECT_NE(0, std::memcmp(a.raw_data(), a2.raw_data(), 4000));
}

TEST(Creation, RandomMomentsAreRight) {
  Generator gen(7);
  Tensor n = ops::randn({200000}, gen, DType::Float64);
  Tensor u = ops::rand({200000}, gen, DType::Float64);
  double sum = 0, sq = 0, usum = 0;
  for (int64_t i = 0; i < 200000; ++i) {
    double v = n.data<double>()[i];
    sum += v;
    sq += v * v;
    double w = u.data<double>()[i];
    ASSERT_GE(w, 0.0);
    ASSERT_LT(w, 1.0);
    usum += w;
  }
  EXPECT_NEAR(sum / 200000, 0.0, 0.01);
  EXPECT_NEAR(sq / 200000, 1.0, 0.01);
  EXPECT_NEAR(usum / 200000, 0.5, 0.005);
  Tensor r = ops::randint(3, 6, {1000}, gen);
  for (int64_t i = 0; i < 1000; ++i) {
    ASSERT_GE(r.data<int64_t>()[i], 3);
    ASSERT_LT(r.data<int64_t>()[i], 6);
  }
}

TEST(Creation, PermutationIsAPermutation) {
  Generator gen(3);
  auto p = gen.permutation(100);
  std::vector<bool> seen(100, false);
  for (int64_t i : p) seen[i] = true;
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }));
}

TEST(Printing, LooksLikePyTorch) {
  Tensor x = Tensor::from_vector<float>({0.1f, -2, 3.5f, 4}, {2, 2});
  EXPECT_EQ(x.str(), "tensor([[ 0.1000, -2.0000],\n        [ 3.5000,  4.0000]])");
  EXPECT_EQ(ops::arange(0, 3, 1, DType::Int64).str(), "tensor([0, 1, 2])");
  EXPECT_EQ(ops::ones({2}, DType::Float64).str(), "tensor([1., 1.], dtype=torch.float64)");
  std::string big = ops::zeros({100, 100}).str();
  EXPECT_NE(big.find("..."), std::string::npos);
  EXPECT_NE(big.find("size=[100, 100]"), std::string::npos);
}

}  // namespace
}  // namespace camlab
