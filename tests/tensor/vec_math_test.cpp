// cpu::exp_fast (tensor/cpu/vec_math.h) against std::exp: ulp distance over the whole float range,
// the special values, and the exp / softmax kernels that use it on contiguous and strided input.
#include "tensor/cpu/vec_math.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tensor/generator.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

// Distance in units in the last place between two finite non-negative floats.
int64_t ulps(float a, float b) {
  return std::abs(int64_t(std::bit_cast<int32_t>(a)) - int64_t(std::bit_cast<int32_t>(b)));
}

TEST(ExpFast, WithinOneUlpOfStdExpAcrossTheRange) {
  // Every 97th float bit pattern between −104 and 89: normal and subnormal results alike. (An
  // exhaustive run over all 2.2e9 floats there found ≤ 1 ulp, 99.5% correctly rounded.)
  int64_t worst = 0;
  float worst_x = 0;
  int64_t checked = 0;
  for (uint32_t bits = 0; bits < 0xFFFFFFFFu - 97; bits += 97) {
    const float x = std::bit_cast<float>(bits);
    if (!(x > -103.9f && x < 88.7f)) continue;
    const float want = std::exp(x);
    const float got = cpu::exp_fast(x);
    // Subnormal results carry fewer bits; there a ulp is absolute (2^-149), so the same bound
    // holds.
    const int64_t d = ulps(got, want);
    if (d > worst) {
      worst = d;
      worst_x = x;
    }
    ++checked;
  }
  EXPECT_GT(checked, 10'000'000);
  EXPECT_LE(worst, 1) << "worst at x = " << worst_x << ": exp_fast " << cpu::exp_fast(worst_x)
                      << ", std::exp " << std::exp(worst_x);
}

TEST(ExpFast, SpecialValuesMatchStdExp) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(cpu::exp_fast(0.0f), 1.0f);
  EXPECT_EQ(cpu::exp_fast(-0.0f), 1.0f);
  EXPECT_EQ(cpu::exp_fast(inf), inf);
  EXPECT_EQ(cpu::exp_fast(-inf), 0.0f);
  EXPECT_TRUE(std::isnan(cpu::exp_fast(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(cpu::exp_fast(-std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(cpu::exp_fast(89.0f), inf);  // overflow
  EXPECT_EQ(cpu::exp_fast(1e30f), inf);
  EXPECT_EQ(cpu::exp_fast(-105.0f), 0.0f);  // underflow
  EXPECT_EQ(cpu::exp_fast(-1e30f), 0.0f);
  EXPECT_EQ(cpu::exp_fast(std::numeric_limits<float>::max()), inf);
  EXPECT_EQ(cpu::exp_fast(std::numeric_limits<float>::lowest()), 0.0f);
  EXPECT_LE(ulps(cpu::exp_fast(88.72f), std::exp(88.72f)), 1);  // just below overflow: finite
  EXPECT_TRUE(std::isfinite(cpu::exp_fast(88.7228f)));
  // Double stays exact: it is std::exp.
  for (double x : {-700.0, -1.5, 0.3, 1.0, 20.0, 709.0}) EXPECT_EQ(cpu::exp_fast(x), std::exp(x));
}

TEST(ExpFast, ExpOpIsIdenticalOnContiguousAndStridedInput) {
  Generator gen(1);
  Tensor x = ops::mul(ops::randn({37, 53}, gen), 30.0);  // [37, 53], values up to ~±100
  Tensor xt = x.transpose(0, 1);                         // [53, 37], strided
  ASSERT_FALSE(xt.is_contiguous());
  Tensor a = ops::exp(xt).contiguous();
  Tensor b = ops::exp(xt.contiguous());
  ASSERT_EQ(a.numel(), b.numel());
  for (int64_t i = 0; i < a.numel(); ++i) {
    const float va = a.data<float>()[i], vb = b.data<float>()[i];
    ASSERT_EQ(va, vb) << "at " << i;
  }
  const Tensor xc = x.contiguous();
  const Tensor e = ops::exp(x).contiguous();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float v = xc.data<float>()[i];
    EXPECT_LE(ulps(e.data<float>()[i], std::exp(v)), 1) << "exp(" << v << ")";
  }
}

TEST(ExpFast, SoftmaxRowsSumToOneAndMatchDouble) {
  Generator gen(2);
  Tensor x = ops::mul(ops::randn({64, 1000}, gen), 10.0);  // [64, 1000]
  Tensor y = ops::softmax(x, 1);
  Tensor yd = ops::softmax(x.to(DType::Float64), 1);
  const Tensor yc = y.contiguous(), ydc = yd.contiguous();
  double worst = 0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    const double want = ydc.data<double>()[i];
    worst = std::max(worst, std::abs(double(yc.data<float>()[i]) - want) / std::max(want, 1e-30));
  }
  EXPECT_LT(worst, 1e-5);
  Tensor ls = ops::log_softmax(x, 1);
  Tensor lsd = ops::log_softmax(x.to(DType::Float64), 1);
  const Tensor lc = ls.contiguous(), ldc = lsd.contiguous();
  for (int64_t i = 0; i < ls.numel(); ++i) {
    ASSERT_NEAR(lc.data<float>()[i], ldc.data<double>()[i],
                1e-4 * (1 + std::abs(ldc.data<double>()[i])));
  }
}

}  // namespace
}  // namespace camlab
