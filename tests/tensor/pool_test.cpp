// max_pool2d, avg_pool2d and adaptive_avg_pool2d against the PyTorch fixtures
// (tests/fixtures/pool.h5), plus hand-checked semantics (indices, padding, bins) and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tensor/ops.h"
#include "tests/support/all_close.h"
#include "tests/support/fixture.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

using test::all_close;
using test::Array;
using test::Fixture;

Tensor to_tensor(const Array& a, DType dtype) {
  return Tensor::from_vector<double>(a.values, a.shape).to(dtype);
}

using test::values;

std::array<int64_t, 2> pair(const std::vector<int64_t>& v) { return {v.at(0), v.at(1)}; }

const Fixture& pool_fixture() {
  static const Fixture f("pool.h5");
  return f;
}

Pool2dParams case_params(const Fixture& f, const std::string& c) {
  Pool2dParams p{.kernel = pair(f.ints(c, "kernel")),
                 .stride = pair(f.ints(c, "stride")),
                 .padding = pair(f.ints(c, "padding"))};
  if (f.text(c, "op") == "avg_pool2d") p.count_include_pad = f.ints(c, "count_include_pad").at(0);
  return p;
}

class PoolFixture : public ::testing::TestWithParam<std::string> {};

// Forward and grad_x in float32 (rtol 1e-5) and float64 (to rounding).
TEST_P(PoolFixture, MatchesPyTorch) {
  const Fixture& f = pool_fixture();
  const std::string c = GetParam();
  const std::string op = f.text(c, "op");
  for (DType dtype : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(std::string(dtype_name(dtype)));
    const double rtol = dtype == DType::Float32 ? 1e-5 : 1e-12;
    const double atol = dtype == DType::Float32 ? 1e-6 : 1e-12;
    Tensor x = to_tensor(f.array(c + "/x"), dtype);
    Tensor grad_y = to_tensor(f.array(c + "/grad_y"), dtype);
    Tensor y, grad_x;
    if (op == "max_pool2d") {
      auto [values_out, indices] = ops::max_pool2d(x, case_params(f, c));
      y = values_out;
      grad_x = ops::max_pool2d_backward(grad_y, indices, x.shape());
    } else if (op == "avg_pool2d") {
      y = ops::avg_pool2d(x, case_params(f, c));
      grad_x = ops::avg_pool2d_backward(grad_y, x.shape(), case_params(f, c));
    } else {
      ASSERT_EQ(op, "adaptive_avg_pool2d");
      y = ops::adaptive_avg_pool2d(x, pair(f.ints(c, "output_size")));
      grad_x = ops::adaptive_avg_pool2d_backward(grad_y, x.shape());
    }
    EXPECT_TRUE(all_close(values(y), f.array(c + "/y"), rtol, atol));
    EXPECT_TRUE(all_close(values(grad_x), f.array(c + "/grad_x"), rtol, atol));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, PoolFixture, ::testing::ValuesIn(pool_fixture().cases()),
                         [](const auto& info) { return info.param; });

TEST(MaxPool2d, IndicesAreFlatWithinEachPlane) {
  // Two planes of a 4x4 ramp: the max of each 2x2 window is its bottom-right element.
  Tensor x = ops::arange(0, 32).reshape({1, 2, 4, 4});
  auto [y, indices] = ops::max_pool2d(x, {.kernel = {2, 2}, .stride = {2, 2}});
  EXPECT_EQ(indices.dtype(), DType::Int64);
  EXPECT_EQ(values(y), (std::vector<double>{5, 7, 13, 15, 21, 23, 29, 31}));
  // Plane 1 restarts at 0: indices are ih·W + iw, not offsets into the whole tensor.
  EXPECT_EQ(values(indices), (std::vector<double>{5, 7, 13, 15, 5, 7, 13, 15}));
}

TEST(MaxPool2d, PaddingIsMinusInfinityNotZero) {
  Tensor x = ops::full({1, 1, 2, 2}, -3.0);
  auto [y, indices] = ops::max_pool2d(x, {.kernel = {3, 3}, .stride = {1, 1}, .padding = {1, 1}});
  EXPECT_EQ(values(y), (std::vector<double>{-3, -3, -3, -3}));
  for (double i : values(indices)) EXPECT_TRUE(i >= 0 && i < 4) << i;
}

TEST(MaxPool2d, BackwardRoutesToTheArgmaxAndSumsOverlaps) {
  // Overlapping 3x3 windows at stride 1 all pick the centre of a peaked 3x4 image.
  Tensor x = Tensor::from_vector<float>({0, 1, 0, 0,  //
                                         1, 9, 1, 0,  //
                                         0, 1, 0, 0},
                                        {1, 1, 3, 4});
  auto [y, indices] = ops::max_pool2d(x, {.kernel = {3, 3}, .stride = {1, 1}});  // [1, 1, 1, 2]
  EXPECT_EQ(values(y), (std::vector<double>{9, 9}));
  Tensor grad_x = ops::max_pool2d_backward(ops::ones({1, 1, 1, 2}), indices, x.shape());
  EXPECT_EQ(grad_x.at<float>({0, 0, 1, 1}), 2.0f);
  EXPECT_EQ(values(ops::sum(grad_x)), (std::vector<double>{2}));
}

TEST(AvgPool2d, CountIncludePadBothWays) {
  // A 2x2 image of ones, 3x3 windows padded by 1: every window covers 4 pixels of 9.
  Tensor x = ops::ones({1, 1, 2, 2}, DType::Float64);
  Pool2dParams p{.kernel = {3, 3}, .stride = {1, 1}, .padding = {1, 1}};
  p.count_include_pad = true;
  for (double v : values(ops::avg_pool2d(x, p))) EXPECT_DOUBLE_EQ(v, 4.0 / 9.0);
  p.count_include_pad = false;
  for (double v : values(ops::avg_pool2d(x, p))) EXPECT_DOUBLE_EQ(v, 1.0);
  // The backward spreads dY / divisor over the covered pixels: four windows cover each pixel.
  for (double v :
       values(ops::avg_pool2d_backward(ops::ones({1, 1, 2, 2}, DType::Float64), x.shape(), p))) {
    EXPECT_DOUBLE_EQ(v, 4 * (1.0 / 4.0));
  }
}

TEST(AdaptiveAvgPool2d, BinsFollowPyTorch) {
  // 5 -> 3: bins [⌊i·5/3⌋, ⌈(i+1)·5/3⌉) = [0, 2), [1, 4), [3, 5): neighbours overlap.
  Tensor x = Tensor::from_vector<double>({1, 2, 3, 4, 5}, {1, 1, 1, 5});
  Tensor y = ops::adaptive_avg_pool2d(x, {1, 3});
  EXPECT_EQ(values(y), (std::vector<double>{1.5, 3, 4.5}));
  // Global average pooling is the 1x1 case.
  Tensor g =
      ops::adaptive_avg_pool2d(ops::arange(0, 12, 1, DType::Float64).reshape({1, 1, 3, 4}), {1, 1});
  EXPECT_EQ(values(g), (std::vector<double>{5.5}));
  // Backward: pixel 1 (value 2) is in bins 0 and 1 only; pixel 3 (value 4) in bins 1 and 2.
  Tensor grad_x =
      ops::adaptive_avg_pool2d_backward(ops::ones({1, 1, 1, 3}, DType::Float64), x.shape());
  EXPECT_EQ(values(grad_x), (std::vector<double>{0.5, 0.5 + 1.0 / 3, 1.0 / 3, 1.0 / 3 + 0.5, 0.5}));
}

TEST(Pool2d, NonContiguousInputMatchesContiguous) {
  Generator gen(7);
  Tensor x = ops::randn({2, 9, 8, 3}, gen).permute({0, 3, 1, 2});  // [2, 3, 9, 8]
  ASSERT_FALSE(x.is_contiguous());
  const Pool2dParams p{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}};
  EXPECT_EQ(values(ops::max_pool2d(x, p).first), values(ops::max_pool2d(x.contiguous(), p).first));
  EXPECT_EQ(values(ops::avg_pool2d(x, p)), values(ops::avg_pool2d(x.contiguous(), p)));
  EXPECT_EQ(values(ops::adaptive_avg_pool2d(x, {4, 3})),
            values(ops::adaptive_avg_pool2d(x.contiguous(), {4, 3})));
  Tensor grad_y = ops::randn({2, 3, 5, 4}, gen).transpose(2, 3).contiguous().transpose(2, 3);
  EXPECT_EQ(values(ops::avg_pool2d_backward(grad_y, x.shape(), p)),
            values(ops::avg_pool2d_backward(grad_y.contiguous(), x.shape(), p)));
}

TEST(Pool2d, LargeBatchRunsInParallelAndAgrees) {
  // 64 planes of 32x32 pass the parallel threshold; each plane must equal its own pooling.
  Generator gen(8);
  Tensor x = ops::randn({8, 8, 32, 32}, gen);
  const Pool2dParams p{.kernel = {2, 2}, .stride = {2, 2}};
  Tensor y = ops::max_pool2d(x, p).first;
  Tensor y3 = ops::max_pool2d(x.narrow(0, 3, 1).narrow(1, 5, 1), p).first;
  EXPECT_EQ(values(y.narrow(0, 3, 1).narrow(1, 5, 1)), values(y3));
}

template <typename Fn>
void expect_error(Fn&& call, const std::vector<std::string>& parts) {
  try {
    call();
    ADD_FAILURE() << "expected camlab::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "missing '" << part << "' in: " << message;
    }
  }
}

TEST(Pool2d, Errors) {
  Tensor x = ops::zeros({1, 2, 3, 3});
  expect_error(
      [&] {
        ops::max_pool2d(x, {.kernel = {4, 4}, .stride = {1, 1}});
      },
      {"max_pool2d", "kernel 4x4", "larger than the padded input 3x3", "[1, 2, 3, 3]"});
  expect_error(
      [&] {
        ops::avg_pool2d(x, {.kernel = {2, 2}, .stride = {1, 1}, .padding = {2, 2}});
      },
      {"avg_pool2d", "padding 2x2", "at most half the kernel 2x2"});
  expect_error(
      [&] {
        ops::max_pool2d(ops::zeros({2, 3, 3}), {});
      },
      {"max_pool2d", "4-d", "[2, 3, 3]"});
  expect_error([&] { ops::adaptive_avg_pool2d(x, {0, 2}); }, {"adaptive_avg_pool2d", "0x2"});
  expect_error(
      [&] {
        ops::avg_pool2d_backward(ops::zeros({1, 2, 2, 2}), x.shape(), {});
      },
      {"avg_pool2d_backward", "[1, 2, 2, 2]", "[1, 2, 1, 1]"});
  expect_error(
      [&] {
        ops::max_pool2d_backward(ops::zeros({1, 2, 1, 1}), ops::zeros({1, 2, 1, 1}), x.shape());
      },
      {"max_pool2d_backward", "int64"});
}

}  // namespace
}  // namespace camlab
