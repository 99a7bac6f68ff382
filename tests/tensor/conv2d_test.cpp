// conv2d, im2col and col2im against the PyTorch fixtures (tests/fixtures/conv2d.h5), their
// algebraic identities, the batch-parallel path, non-contiguous inputs and the error messages.
#include <gtest/gtest.h>

#include <cmath>
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

Conv2dParams case_params(const Fixture& f, const std::string& c) {
  return Conv2dParams{.stride = pair(f.ints(c, "stride")),
                      .padding = pair(f.ints(c, "padding")),
                      .dilation = pair(f.ints(c, "dilation")),
                      .groups = f.ints(c, "groups").at(0)};
}

const Fixture& conv_fixture() {
  static const Fixture f("conv2d.h5");
  return f;
}

class Conv2dFixture : public ::testing::TestWithParam<std::string> {};

// Forward and all three gradients in float32 (rtol 1e-5) and float64 (PyTorch's reference was
// computed in float64 from the same inputs, so double must agree to rounding).
TEST_P(Conv2dFixture, MatchesPyTorch) {
  const Fixture& f = conv_fixture();
  const std::string c = GetParam();
  const Conv2dParams p = case_params(f, c);
  const bool has_bias = f.has(c + "/bias");
  for (DType dtype : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(std::string(dtype_name(dtype)));
    const double rtol = dtype == DType::Float32 ? 1e-5 : 1e-10;
    const double atol = dtype == DType::Float32 ? 1e-6 : 1e-10;
    Tensor x = to_tensor(f.array(c + "/x"), dtype);
    Tensor w = to_tensor(f.array(c + "/weight"), dtype);
    Tensor b = has_bias ? to_tensor(f.array(c + "/bias"), dtype) : Tensor();
    Tensor grad_y = to_tensor(f.array(c + "/grad_y"), dtype);

    EXPECT_TRUE(all_close(values(ops::conv2d(x, w, b, p)), f.array(c + "/y"), rtol, atol));
    EXPECT_TRUE(all_close(values(ops::conv2d_backward_input(grad_y, w, x.shape(), p)),
                          f.array(c + "/grad_x"), rtol, atol));
    EXPECT_TRUE(all_close(values(ops::conv2d_backward_weight(grad_y, x, w.shape(), p)),
                          f.array(c + "/grad_weight"), rtol, atol));
    if (has_bias) {
      EXPECT_TRUE(
          all_close(values(ops::sum(grad_y, {0, 2, 3})), f.array(c + "/grad_bias"), rtol, atol));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, Conv2dFixture, ::testing::ValuesIn(conv_fixture().cases()),
                         [](const auto& info) { return info.param; });

TEST(Conv2d, FixtureHasEveryKindOfCase) {
  // Guards against a regenerated fixture silently dropping the hard cases.
  int strided = 0, dilated = 0, grouped = 0, depthwise = 0;
  for (const std::string& c : conv_fixture().cases()) {
    const Conv2dParams p = case_params(conv_fixture(), c);
    strided += p.stride != std::array<int64_t, 2>{1, 1};
    dilated += p.dilation != std::array<int64_t, 2>{1, 1};
    grouped += p.groups > 1;
    depthwise += conv_fixture().array(c + "/weight").shape[1] == 1;
  }
  EXPECT_GE(strided, 3);
  EXPECT_GE(dilated, 2);
  EXPECT_GE(grouped, 4);
  EXPECT_GE(depthwise, 2);
}

TEST(Conv2d, OutputSize) {
  // Ho = ⌊(H + 2·pad − dil·(k − 1) − 1)/stride⌋ + 1
  Conv2dParams p{.kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 0}, .dilation = {2, 1}};
  EXPECT_EQ(ops::conv2d_output_size({1, 1, 9, 5}, p), (std::array<int64_t, 2>{4, 4}));
  EXPECT_EQ(ops::conv2d_output_size({1, 1, 28, 28}, {.kernel = {3, 3}, .padding = {1, 1}}),
            (std::array<int64_t, 2>{28, 28}));
}

TEST(Conv2d, Im2colThenMatmulIsConv2d) {
  Generator gen(3);
  const Conv2dParams p{.kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 1}, .dilation = {1, 2}};
  Tensor x = ops::randn({3, 4, 9, 7}, gen, DType::Float64);
  Tensor w = ops::randn({5, 4, 3, 2}, gen, DType::Float64);
  const auto [ho, wo] = ops::conv2d_output_size(x.shape(), p);
  Tensor cols = ops::im2col(x, p);  // [N, C·kh·kw, Ho·Wo]
  ASSERT_EQ(cols.shape(), (Shape{3, 4 * 3 * 2, ho * wo}));
  Tensor y = ops::matmul(w.reshape({5, 24}), cols).reshape({3, 5, ho, wo});
  Array want{y.shape(), values(y)};
  EXPECT_TRUE(all_close(values(ops::conv2d(x, w, Tensor(), p)), want, 1e-12, 1e-12));
}

TEST(Conv2d, Col2imIsTheAdjointOfIm2col) {
  // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for every x and c.
  Generator gen(4);
  const Conv2dParams p{.kernel = {3, 3}, .stride = {2, 1}, .padding = {2, 1}, .dilation = {1, 2}};
  Tensor x = ops::randn({2, 3, 8, 7}, gen, DType::Float64);
  Tensor cols = ops::randn(ops::im2col(x, p).shape(), gen, DType::Float64);
  std::vector<double> a = values(ops::im2col(x, p)), b = values(cols);
  std::vector<double> xs = values(x), back = values(ops::col2im(cols, x.shape(), p));
  double lhs = 0, rhs = 0;
  for (size_t i = 0; i < a.size(); ++i) lhs += a[i] * b[i];
  for (size_t i = 0; i < xs.size(); ++i) rhs += xs[i] * back[i];
  EXPECT_NEAR(lhs, rhs, 1e-10 * std::abs(lhs));
}

TEST(Conv2d, Im2colPadsWithZeros) {
  Tensor x = ops::ones({1, 1, 2, 2});
  Tensor cols = ops::im2col(x, {.kernel = {3, 3}, .padding = {1, 1}});  // [1, 9, 4]
  ASSERT_EQ(cols.shape(), (Shape{1, 9, 4}));
  // Row (ki=0, kj=0) reads the pixel up-left of each output: only output (1, 1) has one.
  EXPECT_EQ(values(cols.select(1, 0)), (std::vector<double>{0, 0, 0, 1}));
  // The centre row reads the image itself.
  EXPECT_EQ(values(cols.select(1, 4)), (std::vector<double>{1, 1, 1, 1}));
}

TEST(Conv2d, BatchParallelPathMatchesOneSampleAtATime) {
  // A batch of 6 (1.3M multiply-adds, above the parallel threshold) runs over OpenMP threads with
  // single-threaded BLAS; one sample runs alone.
  Generator gen(5);
  const Conv2dParams p{.stride = {1, 2}, .padding = {1, 1}, .groups = 2};
  Tensor x = ops::randn({6, 8, 32, 24}, gen);
  Tensor w = ops::randn({16, 4, 3, 3}, gen);
  Tensor b = ops::randn({16}, gen);
  Tensor y = ops::conv2d(x, w, b, p);
  Tensor grad_y = ops::randn(y.shape(), gen);
  Tensor grad_x = ops::conv2d_backward_input(grad_y, w, x.shape(), p);
  Tensor grad_w = ops::conv2d_backward_weight(grad_y, x, w.shape(), p);
  Tensor grad_w_sum = ops::zeros(w.shape());
  for (int64_t n = 0; n < 6; ++n) {
    Tensor xn = x.narrow(0, n, 1), dyn = grad_y.narrow(0, n, 1);
    Tensor yn = ops::conv2d(xn, w, b, p);
    EXPECT_TRUE(all_close(values(yn), Array{yn.shape(), values(y.narrow(0, n, 1))}));
    Tensor dxn = ops::conv2d_backward_input(dyn, w, xn.shape(), p);
    EXPECT_TRUE(all_close(values(dxn), Array{dxn.shape(), values(grad_x.narrow(0, n, 1))}));
    grad_w_sum = ops::add(grad_w_sum, ops::conv2d_backward_weight(dyn, xn, w.shape(), p));
  }
  EXPECT_TRUE(all_close(values(grad_w), Array{w.shape(), values(grad_w_sum)}, 1e-5, 1e-5));
}

TEST(Conv2d, NonContiguousInputsGiveTheSameResult) {
  Generator gen(6);
  const Conv2dParams p{.stride = {2, 2}, .padding = {1, 1}};
  Tensor x = ops::randn({3, 9, 8, 2}, gen).permute({0, 3, 1, 2});  // [3, 2, 9, 8], channels last
  Tensor w = ops::randn({2, 4, 3, 3}, gen).transpose(0, 1);        // [4, 2, 3, 3], strided
  ASSERT_FALSE(x.is_contiguous());
  ASSERT_FALSE(w.is_contiguous());
  Tensor y = ops::conv2d(x, w, Tensor(), p);
  Tensor y_ref = ops::conv2d(x.contiguous(), w.contiguous(), Tensor(), p);
  EXPECT_EQ(values(y), values(y_ref));
  Tensor grad_y = ops::randn(y.shape(), gen).transpose(2, 3).contiguous().transpose(2, 3);
  ASSERT_FALSE(grad_y.is_contiguous());
  EXPECT_EQ(values(ops::conv2d_backward_input(grad_y, w, x.shape(), p)),
            values(ops::conv2d_backward_input(grad_y.contiguous(), w.contiguous(), x.shape(), p)));
  EXPECT_EQ(values(ops::conv2d_backward_weight(grad_y, x, w.shape(), p)),
            values(ops::conv2d_backward_weight(grad_y.contiguous(), x.contiguous(), w.shape(), p)));
}

// Runs `call`, expecting a camlab::Error whose message contains every one of `parts`.
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

TEST(Conv2d, ChannelMismatchNamesBothShapes) {
  Tensor x = ops::zeros({2, 3, 8, 8});
  Tensor w = ops::zeros({6, 4, 3, 3});
  expect_error([&] { ops::conv2d(x, w, Tensor(), {}); },
               {"conv2d", "[2, 3, 8, 8]", "[6, 4, 3, 3]", "3 channels", "expects 4"});
}

TEST(Conv2d, KernelLargerThanPaddedInput) {
  Tensor x = ops::zeros({1, 1, 3, 4});
  expect_error(
      [&] {
        ops::conv2d(x, ops::zeros({1, 1, 5, 5}), Tensor(), {.padding = {0, 1}});
      },
      {"conv2d", "5x5", "larger than the padded input 3x6", "[1, 1, 3, 4]"});
  // Dilation widens the kernel: 3 taps at dilation 2 span 5 pixels.
  expect_error(
      [&] {
        ops::conv2d(x, ops::zeros({1, 1, 3, 3}), Tensor(), {.dilation = {2, 2}});
      },
      {"conv2d", "spanning 5x5"});
}

TEST(Conv2d, BadGroups) {
  Tensor x = ops::zeros({1, 4, 6, 6});
  expect_error(
      [&] {
        ops::conv2d(x, ops::zeros({6, 2, 3, 3}), Tensor(), {.groups = 3});
      },
      {"conv2d", "groups=3", "must divide", "[1, 4, 6, 6]", "[6, 2, 3, 3]"});
  expect_error(
      [&] {
        ops::conv2d(x, ops::zeros({6, 2, 3, 3}), Tensor(), {.groups = 0});
      },
      {"conv2d", "groups must be positive"});
  // groups divides both, but the weight is laid out for another grouping.
  expect_error(
      [&] {
        ops::conv2d(x, ops::zeros({4, 4, 3, 3}), Tensor(), {.groups = 2});
      },
      {"conv2d", "4 channels", "expects 8", "2 groups"});
}

TEST(Conv2d, OtherErrors) {
  Tensor x = ops::zeros({1, 2, 6, 6});
  Tensor w = ops::zeros({3, 2, 3, 3});
  expect_error([&] { ops::conv2d(x, w, ops::zeros({4}), {}); }, {"conv2d", "bias [4]", "[3]"});
  expect_error(
      [&] {
        ops::conv2d(ops::zeros({2, 6, 6}), w, Tensor(), {});
      },
      {"conv2d", "4-d", "[2, 6, 6]"});
  expect_error([&] { ops::conv2d(x, w, Tensor(), {.stride = {0, 1}}); }, {"conv2d", "positive"});
  expect_error(
      [&] {
        ops::conv2d(x, w, Tensor(), {.kernel = {5, 5}});
      },
      {"conv2d", "kernel 5x5", "[3, 2, 3, 3]"});
  expect_error([&] { ops::conv2d(x, w.to(DType::Float64), Tensor(), {}); },
               {"conv2d", "dtype mismatch"});
  expect_error(
      [&] {
        ops::conv2d_backward_input(ops::zeros({1, 3, 5, 5}), w, x.shape(), {});
      },
      {"conv2d_backward_input", "[1, 3, 5, 5]", "[1, 3, 4, 4]"});
  expect_error(
      [&] {
        ops::col2im(ops::zeros({1, 18, 5}), x.shape(), {.kernel = {3, 3}});
      },
      {"col2im", "[1, 18, 5]", "[1, 18, 16]"});
}

}  // namespace
}  // namespace camlab
