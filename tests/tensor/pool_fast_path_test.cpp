// The 2x2 stride-2 max-pool and global-average-pool fast paths of tensor/cpu/pool.cpp against a
// naive reference written here: values, argmax indices (ties keep the first, NaN wins), odd image
// sizes that leave a row and column out, and the backward routing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tensor/generator.h"
#include "tensor/ops.h"

namespace camlab {
namespace {

// x: [P, H, W] planes (flat) -> y, idx: [P, H/2, W/2]; the general pooling rule spelled out.
struct Pooled {
  std::vector<float> y;
  std::vector<int64_t> idx;
};

Pooled reference_max_pool_2x2(const std::vector<float>& x, int64_t planes, int64_t H, int64_t W) {
  const int64_t Ho = H / 2, Wo = W / 2;
  Pooled out;
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t oh = 0; oh < Ho; ++oh) {
      for (int64_t ow = 0; ow < Wo; ++ow) {
        float best = -std::numeric_limits<float>::infinity();
        int64_t best_index = 2 * oh * W + 2 * ow;
        for (int64_t ih = 2 * oh; ih < 2 * oh + 2; ++ih) {
          for (int64_t iw = 2 * ow; iw < 2 * ow + 2; ++iw) {
            const float v = x[(p * H + ih) * W + iw];
            if (v > best || std::isnan(v)) {
              best = v;
              best_index = ih * W + iw;
            }
          }
        }
        out.y.push_back(best);
        out.idx.push_back(best_index);
      }
    }
  }
  return out;
}

std::vector<float> floats(const Tensor& t) {
  Tensor c = t.contiguous();
  return std::vector<float>(c.data<float>(), c.data<float>() + c.numel());
}

std::vector<int64_t> ints(const Tensor& t) {
  Tensor c = t.contiguous();
  return std::vector<int64_t>(c.data<int64_t>(), c.data<int64_t>() + c.numel());
}

void expect_same_floats(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    } else {
      EXPECT_EQ(got[i], want[i]) << "at " << i;
    }
  }
}

TEST(MaxPool2x2, MatchesReferenceOnRandomOddSizedImages) {
  Generator gen(7);
  for (auto [H, W] : {std::pair<int64_t, int64_t>{28, 28}, {7, 9}, {2, 2}, {5, 33}}) {
    Tensor x = ops::randn({3, 5, H, W}, gen);  // [N, C, H, W]
    auto [y, idx] = ops::max_pool2d(x, Pool2dParams{});
    ASSERT_EQ(y.shape(), (Shape{3, 5, H / 2, W / 2}));
    const Pooled want = reference_max_pool_2x2(floats(x), 15, H, W);
    expect_same_floats(floats(y), want.y);
    EXPECT_EQ(ints(idx), want.idx) << "H=" << H << " W=" << W;
  }
}

TEST(MaxPool2x2, TiesKeepTheFirstAndNanWins) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  // Four windows of a 2x8 image: all equal, a tie in the bottom row, a NaN, two NaNs.
  Tensor x = Tensor::from_vector<float>({3, 3, 1, 2, 1, nan, nan, -inf,  //
                                         3, 3, 5, 5, 9, 2, 0, nan},
                                        {1, 1, 2, 8});
  auto [y, idx] = ops::max_pool2d(x, Pool2dParams{});
  const Pooled want = reference_max_pool_2x2(floats(x), 1, 2, 8);
  expect_same_floats(floats(y), want.y);
  EXPECT_EQ(ints(idx), want.idx);
  EXPECT_EQ(ints(idx), (std::vector<int64_t>{0, 10, 5, 15}));
}

TEST(MaxPool2x2, BackwardSendsEachGradientToTheFirstMaximumOnly) {
  // Every window is a four-way tie: only its top-left element receives the gradient.
  Tensor x = ops::ones({2, 3, 4, 6});
  auto [y, idx] = ops::max_pool2d(x, Pool2dParams{});
  Generator gen(3);
  Tensor grad_y = ops::randn(y.shape(), gen);
  Tensor grad_x = ops::max_pool2d_backward(grad_y, idx, x.shape());
  const std::vector<float> gx = floats(grad_x), gy = floats(grad_y);
  for (int64_t p = 0; p < 6; ++p) {
    for (int64_t h = 0; h < 4; ++h) {
      for (int64_t w = 0; w < 6; ++w) {
        const float want = (h % 2 == 0 && w % 2 == 0) ? gy[(p * 2 + h / 2) * 3 + w / 2] : 0.0f;
        EXPECT_EQ(gx[(p * 4 + h) * 6 + w], want) << "plane " << p << " at " << h << "," << w;
      }
    }
  }
}

TEST(MaxPool2x2, DoubleAndStridedInputAgreeWithFloatContiguous) {
  Generator gen(11);
  Tensor x = ops::randn({2, 4, 10, 12}, gen);  // [N, C, H, W]
  auto [y, idx] = ops::max_pool2d(x, Pool2dParams{});
  // The same image through a channels-last buffer viewed back as NCHW (strided).
  Tensor strided = x.permute({0, 2, 3, 1}).contiguous().permute({0, 3, 1, 2});
  ASSERT_FALSE(strided.is_contiguous());
  auto [ys, idxs] = ops::max_pool2d(strided, Pool2dParams{});
  EXPECT_EQ(floats(ys), floats(y));
  EXPECT_EQ(ints(idxs), ints(idx));
  auto [yd, idxd] = ops::max_pool2d(x.to(DType::Float64), Pool2dParams{});
  EXPECT_EQ(floats(yd.to(DType::Float32)), floats(y));
  EXPECT_EQ(ints(idxd), ints(idx));
}

TEST(GlobalAvgPool, FastPathMatchesMeanAndSpreadsGradientEvenly) {
  Generator gen(5);
  Tensor x = ops::randn({4, 6, 14, 14}, gen, DType::Float64);  // [N, C, H, W]
  Tensor y = ops::adaptive_avg_pool2d(x, {1, 1});              // [N, C, 1, 1]
  Tensor mean = ops::mean(x, {2, 3});                          // [N, C]
  const Tensor yc = y.reshape({4, 6}).contiguous();
  for (int64_t i = 0; i < 24; ++i) {
    EXPECT_NEAR(yc.data<double>()[i], mean.contiguous().data<double>()[i], 1e-14);
  }
  Tensor grad_x =
      ops::adaptive_avg_pool2d_backward(ops::ones({4, 6, 1, 1}, DType::Float64), x.shape());
  const Tensor gc = grad_x.contiguous();
  for (int64_t i = 0; i < gc.numel(); ++i) ASSERT_EQ(gc.data<double>()[i], 1.0 / 196.0);
}

}  // namespace
}  // namespace camlab
