// Finite-difference checks (double) of bilinear (both align_corners conventions) and nearest
// resizing, up and down, with non-contiguous inputs.
#include <gtest/gtest.h>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

using Inputs = std::vector<Tensor>;

Tensor input(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  Tensor t = ops::uniform(shape, -1, 1, gen, DType::Float64);
  t.set_requires_grad(true);
  return t;
}

void expect_gradcheck(const autograd::GradcheckFn& f, const Inputs& inputs) {
  auto r = autograd::gradcheck(f, inputs);
  EXPECT_TRUE(r.ok) << r.message;
}

const std::vector<std::array<int64_t, 2>> kSizes = {{10, 8}, {11, 9}, {3, 2}, {5, 4}, {1, 1}};

TEST(UpsampleGrad, Bilinear) {
  Tensor x = input({2, 2, 5, 4}, 1);
  for (bool align : {false, true}) {
    for (std::array<int64_t, 2> size : kSizes) {
      expect_gradcheck([=](const Inputs& in) { return upsample_bilinear2d(in[0], size, align); },
                       {x});
    }
  }
}

TEST(UpsampleGrad, Nearest) {
  Tensor x = input({2, 2, 5, 4}, 2);
  for (std::array<int64_t, 2> size : kSizes) {
    expect_gradcheck([=](const Inputs& in) { return upsample_nearest2d(in[0], size); }, {x});
  }
}

TEST(UpsampleGrad, NonContiguousInput) {
  Tensor x = input({1, 4, 3, 2}, 3);  // permuted to [1, 2, 4, 3]
  auto nchw = [](const Tensor& t) { return permute(t, {0, 3, 1, 2}); };
  expect_gradcheck(
      [=](const Inputs& in) {
        return upsample_bilinear2d(nchw(in[0]), {7, 5}, false);
      },
      {x});
  expect_gradcheck([=](const Inputs& in) { return upsample_nearest2d(nchw(in[0]), {7, 5}); }, {x});
}

}  // namespace
}  // namespace camlab
