// upsample_bilinear2d (both align_corners conventions) and upsample_nearest2d against the PyTorch
// fixtures (tests/fixtures/upsample.h5), plus hand-checked coordinates and errors.
#include <gtest/gtest.h>

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

const Fixture& upsample_fixture() {
  static const Fixture f("upsample.h5");
  return f;
}

class UpsampleFixture : public ::testing::TestWithParam<std::string> {};

// Forward and grad_x in float32 (rtol 1e-5) and float64 (to rounding).
TEST_P(UpsampleFixture, MatchesPyTorch) {
  const Fixture& f = upsample_fixture();
  const std::string c = GetParam();
  const std::vector<int64_t> size = f.ints(c, "out_size");
  const std::array<int64_t, 2> out_size{size.at(0), size.at(1)};
  const bool align = f.ints(c, "align_corners").at(0) != 0;
  const bool bilinear = f.text(c, "mode") == "bilinear";
  for (DType dtype : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(std::string(dtype_name(dtype)));
    const double rtol = dtype == DType::Float32 ? 1e-5 : 1e-12;
    const double atol = dtype == DType::Float32 ? 1e-6 : 1e-12;
    Tensor x = to_tensor(f.array(c + "/x"), dtype);
    Tensor grad_y = to_tensor(f.array(c + "/grad_y"), dtype);
    Tensor y = bilinear ? ops::upsample_bilinear2d(x, out_size, align)
                        : ops::upsample_nearest2d(x, out_size);
    Tensor grad_x = bilinear ? ops::upsample_bilinear2d_backward(grad_y, x.shape(), align)
                             : ops::upsample_nearest2d_backward(grad_y, x.shape());
    EXPECT_TRUE(all_close(values(y), f.array(c + "/y"), rtol, atol));
    EXPECT_TRUE(all_close(values(grad_x), f.array(c + "/grad_x"), rtol, atol));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, UpsampleFixture, ::testing::ValuesIn(upsample_fixture().cases()),
                         [](const auto& info) { return info.param; });

TEST(UpsampleBilinear2d, AlignCornersKeepsTheCorners) {
  // 1x2 -> 1x5: with align_corners the ends map onto the ends, a linear ramp in between.
  Tensor x = Tensor::from_vector<double>({0, 4}, {1, 1, 1, 2});
  EXPECT_EQ(values(ops::upsample_bilinear2d(x, {1, 5}, true)),
            (std::vector<double>{0, 1, 2, 3, 4}));
  // Half-pixel centres: src = (o + ½)·2/4 − ½ = −0.25 (clamped to 0), 0.25, 0.75, 1.25 (→ 1).
  EXPECT_EQ(values(ops::upsample_bilinear2d(x, {1, 4}, false)), (std::vector<double>{0, 1, 3, 4}));
}

TEST(UpsampleBilinear2d, BackwardIsTheAdjoint) {
  // ⟨up(x), g⟩ = ⟨x, up_backward(g)⟩, for both conventions and a downsampling size.
  Generator gen(9);
  Tensor x = ops::randn({2, 3, 5, 7}, gen, DType::Float64);
  for (bool align : {false, true}) {
    for (std::array<int64_t, 2> size : {std::array<int64_t, 2>{11, 9}, {3, 4}}) {
      Tensor g = ops::randn({2, 3, size[0], size[1]}, gen, DType::Float64);
      std::vector<double> y = values(ops::upsample_bilinear2d(x, size, align)), gv = values(g);
      std::vector<double> xv = values(x),
                          back = values(ops::upsample_bilinear2d_backward(g, x.shape(), align));
      double lhs = 0, rhs = 0;
      for (size_t i = 0; i < y.size(); ++i) lhs += y[i] * gv[i];
      for (size_t i = 0; i < xv.size(); ++i) rhs += xv[i] * back[i];
      EXPECT_NEAR(lhs, rhs, 1e-10 * (1 + std::abs(lhs))) << "align_corners " << align;
    }
  }
}

TEST(UpsampleNearest2d, LegacyIndexIsFloorOfDstTimesScale) {
  // 3 -> 5: src = ⌊o·3/5⌋ = 0, 0, 1, 1, 2 (not the half-pixel 'nearest-exact').
  Tensor x = Tensor::from_vector<float>({10, 20, 30}, {1, 1, 1, 3});
  EXPECT_EQ(values(ops::upsample_nearest2d(x, {1, 5})), (std::vector<double>{10, 10, 20, 20, 30}));
  // Downsampling 5 -> 2 picks columns 0 and 2; the backward routes there.
  Tensor x5 = ops::arange(0, 5).reshape({1, 1, 1, 5});
  EXPECT_EQ(values(ops::upsample_nearest2d(x5, {1, 2})), (std::vector<double>{0, 2}));
  EXPECT_EQ(values(ops::upsample_nearest2d_backward(ops::ones({1, 1, 1, 2}), x5.shape())),
            (std::vector<double>{1, 0, 1, 0, 0}));
}

TEST(Upsample, NonContiguousInputMatchesContiguous) {
  Generator gen(10);
  Tensor x = ops::randn({2, 6, 5, 3}, gen).permute({0, 3, 1, 2});  // [2, 3, 6, 5]
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_EQ(values(ops::upsample_bilinear2d(x, {9, 7}, false)),
            values(ops::upsample_bilinear2d(x.contiguous(), {9, 7}, false)));
  EXPECT_EQ(values(ops::upsample_nearest2d(x, {9, 7})),
            values(ops::upsample_nearest2d(x.contiguous(), {9, 7})));
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

TEST(Upsample, Errors) {
  expect_error(
      [&] {
        ops::upsample_bilinear2d(ops::zeros({1, 2, 3}), {4, 4}, false);
      },
      {"upsample_bilinear2d", "4-d", "[1, 2, 3]"});
  expect_error(
      [&] {
        ops::upsample_nearest2d(ops::zeros({1, 1, 3, 3}), {0, 4});
      },
      {"upsample_nearest2d", "0x4"});
  expect_error(
      [&] {
        ops::upsample_bilinear2d_backward(ops::zeros({2, 1, 6, 6}), {1, 1, 3, 3}, false);
      },
      {"upsample_bilinear2d_backward", "[2, 1, 6, 6]", "[1, 1, 3, 3]"});
}

}  // namespace
}  // namespace camlab
