// Views share storage and follow PyTorch's stride rules; reshape copies only when it must.
#include <gtest/gtest.h>

#include "tensor/ops.h"
#include "tensor/tensor.h"

namespace camlab {
namespace {

Tensor iota(const Shape& shape) {
  return ops::arange(0, static_cast<double>(numel(shape))).reshape(shape);
}

TEST(View, TransposeSharesStorageAndSwapsStrides) {
  Tensor x = iota({2, 3});
  Tensor t = x.transpose(0, 1);
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.strides(), (Shape{1, 3}));
  EXPECT_EQ(t.storage(), x.storage());
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.at<float>({2, 1}), 5.0f);
  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_NE(c.storage(), x.storage());
  EXPECT_EQ(c.data<float>()[1], 3.0f);  // row 0 of the transpose is (0, 3)
}

TEST(View, ReshapeIsAViewWhenStridesAllowAndACopyOtherwise) {
  Tensor x = iota({2, 3, 4});
  Tensor v = x.reshape({6, 4});
  EXPECT_EQ(v.storage(), x.storage());
  Tensor inferred = x.reshape({-1, 12});
  EXPECT_EQ(inferred.shape(), (Shape{2, 12}));
  Tensor p = x.permute({2, 0, 1});  // [4, 2, 3], strides [1, 12, 4]
  Tensor merged = p.view({4, 6});   // dims 1 and 2 are contiguous with each other: a view
  EXPECT_EQ(merged.storage(), x.storage());
  EXPECT_EQ(merged.strides(), (Shape{1, 4}));
  EXPECT_THROW(p.view({8, 3}), Error);  // dims 0 and 1 are not: needs a copy
  Tensor r = p.reshape({8, 3});
  EXPECT_NE(r.storage(), x.storage());
  EXPECT_EQ(r.at<float>({1, 0}), 12.0f);  // p[0, 1, 0] = x[1, 0, 0]
}

TEST(View, NarrowSelectSliceAndSqueeze) {
  Tensor x = iota({4, 5});
  Tensor n = x.narrow(1, 1, 3);
  EXPECT_EQ(n.shape(), (Shape{4, 3}));
  EXPECT_EQ(n.at<float>({2, 0}), 11.0f);
  Tensor s = x.select(0, -1);
  EXPECT_EQ(s.shape(), (Shape{5}));
  EXPECT_EQ(s.at<float>({4}), 19.0f);
  Tensor stepped = x.slice(1, 0, 5, 2);
  EXPECT_EQ(stepped.shape(), (Shape{4, 3}));
  EXPECT_EQ(stepped.at<float>({1, 2}), 9.0f);
  Tensor u = x.unsqueeze(1);
  EXPECT_EQ(u.shape(), (Shape{4, 1, 5}));
  EXPECT_EQ(u.squeeze(1).shape(), (Shape{4, 5}));
  EXPECT_EQ(iota({1, 3, 1}).squeeze().shape(), (Shape{3}));
  EXPECT_EQ(iota({2, 3, 4}).flatten(1).shape(), (Shape{2, 12}));
}

TEST(View, ExpandBroadcastsWithZeroStride) {
  Tensor x = iota({3, 1});
  Tensor e = x.expand({2, 3, 4});
  EXPECT_EQ(e.strides(), (Shape{0, 1, 0}));
  EXPECT_EQ(e.at<float>({1, 2, 3}), 2.0f);
  EXPECT_THROW(x.expand({3, 2, 2}).numel(), Error);
}

TEST(View, ErrorsNameTheOpAndShapes) {
  Tensor x = iota({2, 3});
  try {
    (void)x.view({4, 2});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[4, 2]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)x.select(0, 2), Error);
  EXPECT_THROW((void)x.permute({0, 0}), Error);
  EXPECT_THROW((void)x.transpose(0, 2), Error);
}

TEST(View, CopyConvertsDtypesThroughStrides) {
  Tensor x = iota({2, 3}).transpose(0, 1);
  Tensor d = x.to(DType::Float64);
  EXPECT_EQ(d.dtype(), DType::Float64);
  EXPECT_EQ(d.at<double>({2, 1}), 5.0);
  Tensor i = d.to(DType::Int64);
  EXPECT_EQ(i.at<int64_t>({1, 1}), 4);
}

}  // namespace
}  // namespace camlab
