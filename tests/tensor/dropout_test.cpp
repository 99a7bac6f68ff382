// Inverted-dropout masks: reproducible for a seed, the right keep rate, the 1/(1 − p) scale.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tensor/ops.h"

namespace camlab {
namespace {

TEST(Dropout, SameSeedSameMaskAndTheGeneratorAdvances) {
  Generator a(7), b(7);
  Tensor m1 = ops::dropout_mask({64, 33}, 0.3, a);  // [64, 33]
  Tensor m2 = ops::dropout_mask({64, 33}, 0.3, b);
  ASSERT_EQ(m1.shape(), (Shape{64, 33}));
  bool equal = true;
  for (int64_t i = 0; i < 64; ++i)
    for (int64_t j = 0; j < 33; ++j) equal = equal && m1.at<float>({i, j}) == m2.at<float>({i, j});
  EXPECT_TRUE(equal);
  EXPECT_EQ(a.offset(), 64u * 33u);                   // the draw reserved one counter per element
  Tensor next = ops::dropout_mask({64, 33}, 0.3, a);  // a fresh mask from the advanced generator
  int64_t differ = 0;
  for (int64_t i = 0; i < 64; ++i)
    for (int64_t j = 0; j < 33; ++j) differ += next.at<float>({i, j}) != m1.at<float>({i, j});
  EXPECT_GT(differ, 100);
}

TEST(Dropout, KeepRateAndScale) {
  for (double p : {0.1, 0.5, 0.8}) {
    SCOPED_TRACE(p);
    Generator gen(11);
    const int64_t n = 200000;
    Tensor mask = ops::dropout_mask({n}, p, gen, DType::Float64);  // [n]
    const double* m = mask.data<double>();
    int64_t kept = 0;
    bool values_ok = true;
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      kept += m[i] != 0;
      values_ok = values_ok && (m[i] == 0 || m[i] == 1 / (1 - p));
      sum += m[i];
    }
    EXPECT_TRUE(values_ok);
    // Binomial(n, 1 − p): 5 standard deviations is at most ~0.0011 of n here.
    const double rate = static_cast<double>(kept) / n;
    const double sd = std::sqrt(p * (1 - p) / n);
    EXPECT_NEAR(rate, 1 - p, 5 * sd);
    EXPECT_NEAR(sum / n, 1.0, 5 * sd / (1 - p));  // E[mask] = 1: inference needs no rescaling
  }
}

TEST(Dropout, EdgeProbabilities) {
  Generator gen(0);
  Tensor none = ops::dropout_mask({1000}, 0.0, gen);
  Tensor all = ops::dropout_mask({1000}, 1.0, gen);
  double sum_none = 0, sum_all = 0;
  for (int64_t i = 0; i < 1000; ++i) {
    sum_none += none.at<float>({i});
    sum_all += std::abs(all.at<float>({i}));
  }
  EXPECT_EQ(sum_none, 1000.0);  // p = 0 keeps everything, unscaled
  EXPECT_EQ(sum_all, 0.0);      // p = 1 drops everything, no inf or NaN
}

TEST(Dropout, BadArgumentsAreErrors) {
  Generator gen(0);
  try {
    ops::dropout_mask({2, 3}, 1.5, gen);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("dropout_mask"), std::string::npos) << m;
    EXPECT_NE(m.find("[0, 1]"), std::string::npos) << m;
    EXPECT_NE(m.find("1.5"), std::string::npos) << m;
  }
  EXPECT_THROW(ops::dropout_mask({2}, 0.5, gen, DType::Int64), Error);
}

}  // namespace
}  // namespace camlab
