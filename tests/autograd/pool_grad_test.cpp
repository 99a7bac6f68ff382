// Finite-difference checks (double) of max, average and adaptive average pooling over kernels,
// strides, padding (both count_include_pad conventions) and non-contiguous inputs.
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

const std::vector<Pool2dParams> kWindows = {
    {.kernel = {2, 2}, .stride = {2, 2}},
    {.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}},
    {.kernel = {3, 3}, .stride = {1, 1}, .padding = {1, 1}},  // overlapping windows
    {.kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 0}},
};

TEST(PoolGrad, MaxPool) {
  // Uniform random inputs have no ties, so the argmax is stable under ±ε.
  Tensor x = input({2, 3, 7, 6}, 1);
  for (const Pool2dParams& p : kWindows) {
    expect_gradcheck([p](const Inputs& in) { return max_pool2d(in[0], p); }, {x});
  }
}

TEST(PoolGrad, AvgPoolBothPaddingConventions) {
  Tensor x = input({2, 2, 7, 6}, 2);
  for (bool include : {true, false}) {
    for (Pool2dParams p : kWindows) {
      p.count_include_pad = include;
      expect_gradcheck([p](const Inputs& in) { return avg_pool2d(in[0], p); }, {x});
    }
  }
}

TEST(PoolGrad, AdaptiveAvgPool) {
  Tensor x = input({2, 2, 7, 5}, 3);
  for (std::array<int64_t, 2> size :
       {std::array<int64_t, 2>{1, 1}, {3, 2}, {4, 4}, {7, 5}, {9, 6}}) {
    expect_gradcheck([size](const Inputs& in) { return adaptive_avg_pool2d(in[0], size); }, {x});
  }
}

TEST(PoolGrad, NonContiguousInput) {
  Tensor x = input({2, 6, 5, 3}, 4);  // permuted to [2, 3, 6, 5]
  const Pool2dParams p{.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}};
  auto nchw = [](const Tensor& t) { return permute(t, {0, 3, 1, 2}); };
  expect_gradcheck([=](const Inputs& in) { return max_pool2d(nchw(in[0]), p); }, {x});
  expect_gradcheck([=](const Inputs& in) { return avg_pool2d(nchw(in[0]), p); }, {x});
  expect_gradcheck([=](const Inputs& in) { return adaptive_avg_pool2d(nchw(in[0]), {2, 3}); }, {x});
}

TEST(PoolGrad, SmallConvNetChain) {
  // conv -> relu -> max pool -> conv -> global average pool: the GAP-net shape CAM relies on.
  Tensor x = input({2, 1, 6, 6}, 5), w1 = input({3, 1, 3, 3}, 6), w2 = input({4, 3, 3, 3}, 7);
  expect_gradcheck(
      [](const Inputs& in) {
        Tensor h = relu(conv2d(in[0], in[1], Tensor(), {.padding = {1, 1}}));
        h = max_pool2d(h, {.kernel = {2, 2}, .stride = {2, 2}});
        return adaptive_avg_pool2d(conv2d(h, in[2], Tensor(), {.padding = {1, 1}}), {1, 1});
      },
      {x, w1, w2});
}

}  // namespace
}  // namespace camlab
