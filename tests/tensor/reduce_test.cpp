// Reductions: every subset of dims against a naive double reference (contiguous and permuted
// inputs), keepdim and negative dims, the accuracy of long float sums, NaN and tie rules of
// max/argmax, and the compositions mean/var/std/norm/logsumexp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "tensor/ops.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using test::values;

// Exact comparison with listed values. (Written against an initializer_list rather than a
// std::vector literal: GCC 12.2 with AVX-512 tuning miscompiles some vector<double> literals.)
::testing::AssertionResult has_values(const Tensor& t, std::initializer_list<double> want) {
  std::vector<double> got = values(t);
  bool same = got.size() == want.size() && std::equal(got.begin(), got.end(), want.begin());
  if (same) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure() << "got";
  for (double v : got) failure << " " << v;
  failure << ", want";
  for (double v : want) failure << " " << v;
  return failure;
}

// Folds x (any strides, read as double) over `dims` with fold(acc, value, index_along_dims);
// the result is row-major in x's keepdim shape.
std::vector<double> naive_reduce(const Tensor& x, const Shape& dims, double init,
                                 const std::function<double(double, double)>& fold) {
  Shape out_shape = x.shape();
  for (int64_t d : dims) out_shape[d] = 1;
  std::vector<double> out(static_cast<size_t>(numel(out_shape)), init);
  Tensor xd = x.to(DType::Float64);
  Shape index(x.dim(), 0);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t rest = i, flat_out = 0, out_stride = 1;
    for (int64_t d = x.dim() - 1; d >= 0; --d) {
      index[d] = rest % x.size(d);
      rest /= x.size(d);
    }
    for (int64_t d = x.dim() - 1; d >= 0; --d) {
      flat_out += (out_shape[d] == 1 ? 0 : index[d]) * out_stride;
      out_stride *= out_shape[d];
    }
    out[flat_out] = fold(out[flat_out], xd.at<double>(index));
  }
  return out;
}

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want, double tol,
                     const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << what << " at " << i;
  }
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// Every subset of dims of a 4-d tensor, in float64 and float32, contiguous and permuted.
TEST(Reduce, SumAmaxAminMatchNaiveOverEverySubsetOfDims) {
  Generator gen(3);
  Tensor base = ops::randn({3, 4, 5, 2}, gen, DType::Float64);
  Tensor permuted = ops::randn({5, 2, 3, 4}, gen, DType::Float64).permute({2, 3, 0, 1});
  for (const Tensor& x64 : {base, permuted}) {
    for (DType dtype : {DType::Float64, DType::Float32}) {
      Tensor x = dtype == DType::Float64 ? x64 : x64.to(dtype);
      if (dtype == DType::Float64 && !x64.same(base)) {
        ASSERT_FALSE(x.is_contiguous());
      }
      for (int mask = 0; mask < 16; ++mask) {
        Shape dims;
        for (int64_t d = 0; d < 4; ++d) {
          if (mask & (1 << d)) dims.push_back(d);
        }
        Shape all = dims.empty() ? Shape{0, 1, 2, 3} : dims;
        const std::string what = "dims " + shape_str(dims) + " " + std::string(dtype_name(dtype));
        const double tol = dtype == DType::Float64 ? 1e-12 : 1e-5;
        Tensor s = ops::sum(x, dims, /*keepdim=*/true);
        EXPECT_EQ(s.dtype(), dtype);
        expect_near_all(values(s), naive_reduce(x, all, 0, std::plus<double>()), tol, what);
        expect_near_all(
            values(ops::amax(x, dims, true)),
            naive_reduce(x, all, -kInf, [](double a, double v) { return std::max(a, v); }), 0,
            what);
        expect_near_all(
            values(ops::amin(x, dims, true)),
            naive_reduce(x, all, kInf, [](double a, double v) { return std::min(a, v); }), 0, what);
      }
    }
  }
}

TEST(Reduce, KeepdimAndNegativeDimsShapeTheOutput) {
  Tensor x = ops::arange(0, 24).reshape({2, 3, 4});
  EXPECT_EQ(ops::sum(x).shape(), Shape{});
  EXPECT_EQ(ops::sum(x).item(), 276.0);
  EXPECT_EQ(ops::sum(x, {}, true).shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(ops::sum(x, {1}).shape(), (Shape{2, 4}));
  EXPECT_EQ(ops::sum(x, {1}, true).shape(), (Shape{2, 1, 4}));
  Tensor s = ops::sum(x, {-1, 0});  // same as {0, 2}
  ASSERT_EQ(s.shape(), (Shape{3}));
  EXPECT_TRUE(has_values(s, {60, 92, 124}));  // Σ over n, w of 12n + 4c + w
  EXPECT_EQ(ops::amax(x, {-2}).at<float>({1, 3}), 23.0f);
  Tensor scalar = ops::scalar(5);
  EXPECT_EQ(ops::sum(scalar, {0}).item(), 5.0);
  EXPECT_EQ(ops::amax(scalar, {-1}, true).shape(), Shape{});
}

TEST(Reduce, ColumnSumsOfWideAndTransposedMatrices) {
  // [N, C] over N reads columns (the bias-gradient case); a transposed view reads rows.
  Generator gen(5);
  Tensor x = ops::randn({700, 300}, gen, DType::Float64);
  std::vector<double> want = naive_reduce(x, {0}, 0, std::plus<double>());
  expect_near_all(values(ops::sum(x, {0})), want, 1e-12, "sum dim 0");
  Tensor xt = x.transpose(0, 1);  // [300, 700], strides [1, 300]
  expect_near_all(values(ops::sum(xt, {1})), want, 1e-12, "transposed sum dim 1");
  expect_near_all(values(ops::amax(xt, {1})),
                  naive_reduce(x, {0}, -kInf, [](double a, double v) { return std::max(a, v); }), 0,
                  "transposed amax");
  Tensor arg = ops::argmax(xt, 1);
  Tensor amax = ops::amax(xt, {1});
  for (int64_t c = 0; c < 300; c += 17) {
    EXPECT_EQ(xt.at<double>({c, arg.at<int64_t>({c})}), amax.at<double>({c}));
  }
}

TEST(Reduce, MillionElementFloatSumIsAccurate) {
  // A float32 running sum of 1e6 copies of 0.1f drifts by ~1%; double accumulation does not.
  Tensor x = ops::full({1000000}, 0.1);
  const double want = 1e6 * static_cast<double>(0.1f);
  EXPECT_NEAR(ops::sum(x).item(), want, want * 1e-7);
  EXPECT_NEAR(ops::mean(x).item(), static_cast<double>(0.1f), 1e-8);
  // Same numbers laid out [1000, 1000] and summed per row, then over a strided view.
  Generator gen(7);
  Tensor r = ops::randn({1000, 1000}, gen);
  std::vector<double> rv = values(r);
  double exact = 0;
  for (double v : rv) exact += v;
  EXPECT_NEAR(ops::sum(r).item(), exact, 1e-3);
  EXPECT_NEAR(ops::sum(r.transpose(0, 1)).item(), exact, 1e-3);
  EXPECT_NEAR(ops::sum(ops::sum(r, {1})).item(), exact, 1e-3);
}

TEST(Reduce, IntegerAndBoolSumsWidenToInt64) {
  Tensor i = Tensor::from_vector<int64_t>({1, 2, 3, 4000000000LL}, {2, 2});
  Tensor s = ops::sum(i, {1});
  EXPECT_EQ(s.dtype(), DType::Int64);
  EXPECT_EQ(s.at<int64_t>({1}), 4000000003LL);
  Tensor b = Tensor::from_vector<bool>({true, false, true, true}, {4});
  EXPECT_EQ(ops::sum(b).dtype(), DType::Int64);
  EXPECT_EQ(ops::sum(b).item(), 3.0);
  EXPECT_EQ(ops::amax(i).item(), 4000000000.0);
  EXPECT_EQ(ops::argmin(i, 0).at<int64_t>({1}), 0);
}

TEST(Reduce, MaxMinGiveValuesAndFirstIndices) {
  Tensor x = Tensor::from_vector<float>({1, 7, 7, 2, -3, 0, -3, 5}, {2, 4});
  auto [vals, idx] = ops::max(x, 1);
  EXPECT_TRUE(has_values(vals, {7, 5}));
  EXPECT_EQ(idx.dtype(), DType::Int64);
  EXPECT_TRUE(has_values(idx, {1, 3}));  // ties: first occurrence
  auto [mins, argmins] = ops::min(x, -1, /*keepdim=*/true);
  EXPECT_EQ(mins.shape(), (Shape{2, 1}));
  EXPECT_TRUE(has_values(mins, {1, -3}));
  EXPECT_TRUE(has_values(argmins, {0, 0}));
  EXPECT_TRUE(has_values(ops::argmax(x, 0), {0, 0, 0, 1}));
  EXPECT_TRUE(has_values(ops::argmin(x.transpose(0, 1), 1), {1, 1, 1, 0}));
}

TEST(Reduce, NanPropagatesThroughMaxAndArgmax) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from_vector<float>({1, nan, 9, 4, 2, 3}, {2, 3});
  EXPECT_TRUE(std::isnan(ops::amax(x, {1}).at<float>({0})));
  EXPECT_EQ(ops::amax(x, {1}).at<float>({1}), 4.0f);
  EXPECT_TRUE(std::isnan(ops::amin(x).item()));
  EXPECT_EQ(ops::argmax(x, 1).at<int64_t>({0}), 1);
  EXPECT_EQ(ops::argmin(x, 1).at<int64_t>({0}), 1);
  EXPECT_TRUE(std::isnan(ops::sum(x).item()));
}

// Rows long enough for amax / amin's SIMD path (contiguous rows): a NaN anywhere still wins, and
// infinities (which send the row back to the scalar loop) are extremes like any value.
TEST(Reduce, LongContiguousRowsKeepTheNanAndInfinityRules) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> values(4 * 37);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>((i * 7) % 37) - 18.0f;
  values[1 * 37 + 30] = nan;  // row 1: NaN late in the row
  values[2 * 37 + 5] = inf;   // row 2: +inf, no NaN
  values[3 * 37 + 3] = -inf;  // row 3: −inf and a NaN after it
  values[3 * 37 + 33] = nan;
  Tensor x = Tensor::from_vector<float>(values, {4, 37});  // [4, 37]
  Tensor high = ops::amax(x, {1}), low = ops::amin(x, {1});
  EXPECT_EQ(high.at<float>({0}), 18.0f);
  EXPECT_EQ(low.at<float>({0}), -18.0f);
  EXPECT_TRUE(std::isnan(high.at<float>({1})));
  EXPECT_TRUE(std::isnan(low.at<float>({1})));
  EXPECT_EQ(high.at<float>({2}), inf);
  EXPECT_EQ(low.at<float>({2}), -18.0f);
  EXPECT_TRUE(std::isnan(high.at<float>({3})));
  EXPECT_TRUE(std::isnan(low.at<float>({3})));
  EXPECT_EQ(ops::amax(x.to(DType::Float64), {1}).to(DType::Float32).at<float>({0}), 18.0f);
}

TEST(Reduce, MeanVarStdMatchTheirDefinitions) {
  Generator gen(11);
  Tensor x = ops::randn({4, 6, 5}, gen, DType::Float64).transpose(1, 2);  // [4, 5, 6]
  for (const Shape& dims : {Shape{}, Shape{1}, Shape{0, 2}, Shape{-1}}) {
    Shape all = dims.empty() ? Shape{0, 1, 2} : dims;
    int64_t n = 1;
    for (int64_t& d : all) {
      d = d < 0 ? d + 3 : d;
      n *= x.size(d);
    }
    std::vector<double> sums = naive_reduce(x, all, 0, std::plus<double>());
    std::vector<double> squares =
        naive_reduce(x, all, 0, [](double a, double v) { return a + v * v; });
    std::vector<double> mean(sums.size()), var0(sums.size()), var1(sums.size());
    for (size_t i = 0; i < sums.size(); ++i) {
      mean[i] = sums[i] / n;
      var0[i] = squares[i] / n - mean[i] * mean[i];
      var1[i] = var0[i] * n / (n - 1);
    }
    const std::string what = "dims " + shape_str(dims);
    expect_near_all(values(ops::mean(x, dims, true)), mean, 1e-12, what);
    expect_near_all(values(ops::var(x, dims, 0, true)), var0, 1e-10, what);
    expect_near_all(values(ops::var(x, dims, 1, true)), var1, 1e-10, what);
    std::vector<double> std1 = var1;
    for (double& v : std1) v = std::sqrt(v);
    expect_near_all(values(ops::std(x, dims, 1, true)), std1, 1e-10, what);
  }
  // One element with correction 1 has no variance estimate: NaN, as PyTorch.
  EXPECT_TRUE(std::isnan(ops::var(ops::ones({1})).item()));
  // Large offset: two-pass variance keeps the digits that E[x²] − E[x]² would lose.
  Tensor shifted = ops::add(Tensor::from_vector<float>({1, 2, 3, 4}, {4}), 1e4);
  EXPECT_NEAR(ops::var(shifted).item(), 5.0 / 3.0, 1e-4);
}

TEST(Reduce, NormForEveryP) {
  Tensor x = Tensor::from_vector<double>({3, -4, 0, 1, -2, 2}, {2, 3});
  EXPECT_DOUBLE_EQ(ops::norm(x).item(), std::sqrt(34.0));
  EXPECT_TRUE(has_values(ops::norm(x, 2, {1}), {5, 3}));
  EXPECT_TRUE(has_values(ops::norm(x, 1, {1}), {7, 5}));
  EXPECT_TRUE(has_values(ops::norm(x, kInf, {0}), {3, 4, 2}));
  EXPECT_TRUE(has_values(ops::norm(x, -kInf, {1}), {0, 1}));
  EXPECT_TRUE(has_values(ops::norm(x, 0, {1}), {2, 3}));
  EXPECT_NEAR(ops::norm(x, 3, {1}, true).at<double>({0, 0}), std::cbrt(27.0 + 64.0), 1e-12);
  EXPECT_EQ(ops::norm(x, 3, {1}, true).shape(), (Shape{2, 1}));
}

TEST(Reduce, LogsumexpIsStable) {
  Tensor x = Tensor::from_vector<float>({1000, 1000, -1000, -1000, 0, 1}, {3, 2});
  Tensor l = ops::logsumexp(x, {1});
  EXPECT_NEAR(l.at<float>({0}), 1000 + std::log(2.0), 1e-3);
  EXPECT_NEAR(l.at<float>({1}), -1000 + std::log(2.0), 1e-3);
  EXPECT_NEAR(l.at<float>({2}), std::log(1 + std::exp(1.0)), 1e-6);
  Tensor edge = Tensor::from_vector<double>({-kInf, -kInf, kInf, 0}, {2, 2});
  Tensor e = ops::logsumexp(edge, {-1}, /*keepdim=*/true);
  EXPECT_EQ(e.shape(), (Shape{2, 1}));
  EXPECT_EQ(e.at<double>({0, 0}), -kInf);
  EXPECT_EQ(e.at<double>({1, 0}), kInf);
}

TEST(Reduce, ErrorsNameOpShapeAndFix) {
  Tensor x = ops::zeros({2, 3});
  std::string m = error_of([&] { ops::sum(x, {2}); });
  EXPECT_NE(m.find("sum"), std::string::npos) << m;
  m = error_of([&] { ops::sum(x, {1, -1}); });
  EXPECT_NE(m.find("sum"), std::string::npos) << m;
  EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
  m = error_of([&] { ops::amax(ops::zeros({0, 3}), {0}); });
  EXPECT_NE(m.find("amax"), std::string::npos) << m;
  EXPECT_NE(m.find("[0, 3]"), std::string::npos) << m;
  m = error_of([&] { ops::mean(ops::zeros({4}, DType::Int64)); });
  EXPECT_NE(m.find("mean"), std::string::npos) << m;
  EXPECT_NE(m.find("int64"), std::string::npos) << m;
  m = error_of([&] { ops::argmax(x, 5); });
  EXPECT_NE(m.find("argmax"), std::string::npos) << m;
  EXPECT_EQ(ops::sum(ops::zeros({0, 3}), {0}).at<float>({1}), 0.0f);  // empty sums are 0
}

}  // namespace
}  // namespace camlab
