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

// Any window, padding counting as −∞: the rule max_pool2d follows, one output at a time.
Pooled reference_max_pool(const std::vector<float>& x, int64_t planes, int64_t H, int64_t W,
                          const Pool2dParams& p) {
  const int64_t Ho = (H + 2 * p.padding[0] - p.kernel[0]) / p.stride[0] + 1;
  const int64_t Wo = (W + 2 * p.padding[1] - p.kernel[1]) / p.stride[1] + 1;
  Pooled out;
  for (int64_t plane = 0; plane < planes; ++plane) {
    for (int64_t oh = 0; oh < Ho; ++oh) {
      for (int64_t ow = 0; ow < Wo; ++ow) {
        const int64_t h0 = oh * p.stride[0] - p.padding[0], w0 = ow * p.stride[1] - p.padding[1];
        const int64_t hb = std::max<int64_t>(h0, 0), wb = std::max<int64_t>(w0, 0);
        float best = -std::numeric_limits<float>::infinity();
        int64_t best_index = hb * W + wb;
        for (int64_t ih = hb; ih < std::min(h0 + p.kernel[0], H); ++ih) {
          for (int64_t iw = wb; iw < std::min(w0 + p.kernel[1], W); ++iw) {
            const float v = x[(plane * H + ih) * W + iw];
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

Pooled reference_max_pool_2x2(const std::vector<float>& x, int64_t planes, int64_t H, int64_t W) {
  return reference_max_pool(x, planes, H, W, Pool2dParams{});
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

// The general kernel (windows inside the image run column-vectorised, the clipped ones one by
// one) on windows with padding and strides, over values with many ties and a few NaNs.
TEST(MaxPoolGeneral, MatchesReferenceWithPaddingTiesAndNans) {
  Generator gen(9);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<Pool2dParams> windows = {
      {.kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}},  // ResNet's stem pool
      {.kernel = {3, 3}, .stride = {1, 1}, .padding = {1, 1}},
      {.kernel = {2, 3}, .stride = {1, 2}, .padding = {0, 1}},
      {.kernel = {5, 5}, .stride = {3, 3}, .padding = {2, 2}},
      {.kernel = {3, 3}, .stride = {2, 2}}};
  for (const Pool2dParams& p : windows) {
    for (auto [H, W] : {std::pair<int64_t, int64_t>{11, 13}, {8, 8}, {5, 21}}) {
      Tensor x = ops::randn({2, 3, H, W}, gen).contiguous();  // [N, C, H, W]
      float* data = x.data<float>();
      for (int64_t i = 0; i < x.numel(); ++i) data[i] = std::floor(2 * data[i]);  // many ties
      data[5] = nan;
      data[x.numel() / 2] = nan;
      auto [y, idx] = ops::max_pool2d(x, p);
      const Pooled want = reference_max_pool(floats(x), 6, H, W, p);
      expect_same_floats(floats(y), want.y);
      EXPECT_EQ(ints(idx), want.idx) << "H=" << H << " W=" << W << " k=" << p.kernel[0];
    }
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
