// Indexing and joining: cat, stack, index_select, gather, scatter_add, masked_fill,
// masked_select, one_hot — values (PyTorch's documented examples where there is one), strided
// operands, and errors that name the op, the bad index or tensor and the valid range.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tensor/dispatch.h"
#include "tensor/ops.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

using test::values;

Tensor longs(const std::vector<int64_t>& v, const Shape& shape) {
  return Tensor::from_vector<int64_t>(v, shape);
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

#define EXPECT_MENTIONS(message, text)               \
  EXPECT_NE((message).find(text), std::string::npos) \
      << "missing '" << (text) << "' in: " << (message)

TEST(Index, EveryIndexingKernelIsRegisteredOnCpu) {
  for (Op op :
       {Op::index_select, Op::gather, Op::scatter_add, Op::masked_fill, Op::batch_norm_stats,
        Op::batch_norm_apply, Op::batch_norm_backward, Op::dropout_mask}) {
    EXPECT_TRUE(has_kernel(op, DeviceType::CPU)) << op_name(op);
  }
}

TEST(Cat, JoinsAlongAnyDimIncludingStridedInputs) {
  Tensor a = ops::arange(0, 6).reshape({2, 3});                   // [[0 1 2] [3 4 5]]
  Tensor b = ops::arange(6, 12).reshape({3, 2}).transpose(0, 1);  // [2, 3], strided
  ASSERT_FALSE(b.is_contiguous());
  Tensor rows = ops::cat({a, b}, 0);  // [4, 3]
  EXPECT_EQ(rows.shape(), (Shape{4, 3}));
  EXPECT_EQ(values(rows), (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 8, 10, 7, 9, 11}));
  Tensor cols = ops::cat({a, b, a.narrow(1, 0, 1)}, -1);  // [2, 7]
  EXPECT_EQ(cols.shape(), (Shape{2, 7}));
  EXPECT_EQ(values(cols), (std::vector<double>{0, 1, 2, 6, 8, 10, 0, 3, 4, 5, 7, 9, 11, 3}));
  Tensor with_empty = ops::cat({a, ops::zeros({0, 3})}, 0);  // empty pieces are fine
  EXPECT_EQ(values(with_empty), values(a));
}

TEST(Cat, ErrorsNameTheOffendingTensor) {
  Tensor a = ops::zeros({2, 3});
  std::string e = error_of([&] { ops::cat({a, a, ops::zeros({2, 3}, DType::Float64)}, 0); });
  EXPECT_MENTIONS(e, "cat");
  EXPECT_MENTIONS(e, "tensor 2 is float64 [2, 3]");
  EXPECT_MENTIONS(e, "tensor 0 is float32");
  e = error_of([&] { ops::cat({a, ops::zeros({2, 4})}, 0); });
  EXPECT_MENTIONS(e, "cat: tensor 1 has shape [2, 4] but tensor 0 has [2, 3]");
  EXPECT_MENTIONS(e, "except in dim 0");
  e = error_of([&] { ops::cat({a, ops::zeros({2, 3, 1})}, 1); });
  EXPECT_MENTIONS(e, "[2, 3, 1]");
  e = error_of([&] { ops::cat({}, 0); });
  EXPECT_MENTIONS(e, "non-empty");
  e = error_of([&] { ops::cat({a}, 2); });
  EXPECT_MENTIONS(e, "cat");
}

TEST(Stack, AddsANewDim) {
  Tensor a = Tensor::from_vector<float>({1, 2, 3}, {3});
  Tensor b = Tensor::from_vector<float>({4, 5, 6}, {3});
  Tensor s0 = ops::stack({a, b}, 0);  // [2, 3]
  EXPECT_EQ(s0.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(s0), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  Tensor s1 = ops::stack({a, b}, -1);  // [3, 2]
  EXPECT_EQ(s1.shape(), (Shape{3, 2}));
  EXPECT_EQ(values(s1), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  std::string e = error_of([&] { ops::stack({a, ops::zeros({4})}, 0); });
  EXPECT_MENTIONS(e, "stack: tensor 1 has shape [4] but tensor 0 has [3]");
}

TEST(IndexSelect, PicksSlicesWithRepeatsFromStridedInput) {
  Tensor x = ops::arange(0, 12).reshape({3, 4}).transpose(0, 1);  // [4, 3]: x[i][j] = 4j + i
  Tensor idx = longs({2, 0, 2}, {3});
  Tensor rows = ops::index_select(x, 0, idx);  // [3, 3]
  EXPECT_EQ(values(rows), (std::vector<double>{2, 6, 10, 0, 4, 8, 2, 6, 10}));
  Tensor cols = ops::index_select(x, 1, longs({1}, {1}));  // [4, 1]
  EXPECT_EQ(cols.shape(), (Shape{4, 1}));
  EXPECT_EQ(values(cols), (std::vector<double>{4, 5, 6, 7}));
  Tensor strided_idx = longs({1, 9, 0, 9}, {4}).slice(0, 0, 4, 2);  // [1, 0]
  EXPECT_EQ(values(ops::index_select(x, -1, strided_idx)),
            (std::vector<double>{4, 0, 5, 1, 6, 2, 7, 3}));
  Tensor ints = ops::index_select(longs({5, 6, 7}, {3}), 0, longs({2, 2}, {2}));
  EXPECT_EQ(ints.dtype(), DType::Int64);
  EXPECT_EQ(ints.at<int64_t>({1}), 7);
}

TEST(IndexSelect, OutOfRangeNamesOpIndexAndValidRange) {
  Tensor x = ops::zeros({2, 5});
  std::string e = error_of([&] { ops::index_select(x, 1, longs({0, 7}, {2})); });
  EXPECT_MENTIONS(e, "index_select");
  EXPECT_MENTIONS(e, "index 7");
  EXPECT_MENTIONS(e, "dim 1");
  EXPECT_MENTIONS(e, "[2, 5]");
  EXPECT_MENTIONS(e, "valid range is [0, 5)");
  e = error_of([&] { ops::index_select(x, 0, longs({-1}, {1})); });
  EXPECT_MENTIONS(e, "index -1");
  EXPECT_MENTIONS(e, "[0, 2)");
  e = error_of([&] { ops::index_select(x, 0, Tensor::from_vector<float>({0}, {1})); });
  EXPECT_MENTIONS(e, "index_select: index must be int64");
}

TEST(Gather, FollowsPyTorchsDefinition) {
  // torch.gather(t, 1, [[0, 0], [1, 0]]) with t = [[1, 2], [3, 4]] is [[1, 1], [4, 3]].
  Tensor t = Tensor::from_vector<double>({1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(values(ops::gather(t, 1, longs({0, 0, 1, 0}, {2, 2}))),
            (std::vector<double>{1, 1, 4, 3}));
  // dim 0, a transposed input x[i][j] = 3j + i: out[i][j] = x[index[i][j]][j].
  Tensor x = ops::arange(0, 12, 1, DType::Float64).reshape({4, 3}).transpose(0, 1);  // [3, 4]
  Tensor out = ops::gather(x, 0, longs({2, 0, 1, 1, 0, 2}, {2, 3}));                 // [2, 3]
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(out), (std::vector<double>{2, 3, 7, 1, 3, 8}));
  std::string e = error_of([&] { ops::gather(t, 0, longs({0, 2}, {1, 2})); });
  EXPECT_MENTIONS(e, "gather: index 2");
  EXPECT_MENTIONS(e, "valid range is [0, 2)");
  e = error_of([&] { ops::gather(t, 1, longs({0, 0, 0}, {3, 1})); });
  EXPECT_MENTIONS(e, "gather: index [3, 1] does not fit input [2, 2]");
}

TEST(ScatterAdd, AccumulatesRepeatedIndices) {
  // PyTorch's example: zeros(3, 5).scatter_add(0, [[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]], ones(2, 5))
  Tensor index = longs({0, 1, 2, 0, 0, 2, 0, 0, 1, 2}, {2, 5});
  Tensor out = ops::scatter_add(ops::zeros({3, 5}), 0, index, ops::ones({2, 5}));
  EXPECT_EQ(values(out), (std::vector<double>{1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}));
  // dim 1 onto a non-zero, strided x, with a src larger than the index and an expanded index.
  Tensor x = ops::arange(0, 6, 1, DType::Float64).reshape({3, 2}).transpose(0, 1);  // [2, 3]
  Tensor src = ops::full({2, 4}, 10, DType::Float64);
  Tensor col = longs({2, 2}, {1, 2}).expand({2, 2});  // every row adds twice into column 2
  EXPECT_EQ(values(ops::scatter_add(x, 1, col, src)), (std::vector<double>{0, 2, 24, 1, 3, 25}));
  EXPECT_EQ(values(x), (std::vector<double>{0, 2, 4, 1, 3, 5}));  // input untouched
  std::string e = error_of([&] { ops::scatter_add(x, 1, longs({3}, {1, 1}), src); });
  EXPECT_MENTIONS(e, "scatter_add: index 3");
  EXPECT_MENTIONS(e, "[0, 3)");
  e = error_of([&] { ops::scatter_add(x, 1, col, ops::full({2, 4}, 1)); });
  EXPECT_MENTIONS(e, "scatter_add: src is float32");
}

TEST(MaskedFill, BroadcastsTheMask) {
  Tensor x = ops::arange(0, 6).reshape({2, 3});
  Tensor mask = Tensor::from_vector<bool>({true, false, true}, {3});  // broadcast over rows
  EXPECT_EQ(values(ops::masked_fill(x, mask, -1)), (std::vector<double>{-1, 1, -1, -1, 4, -1}));
  Tensor xt = x.transpose(0, 1);  // [3, 2]
  Tensor col = Tensor::from_vector<bool>({false, true, false}, {3, 1});
  EXPECT_EQ(values(ops::masked_fill(xt, col, 9)), (std::vector<double>{0, 3, 9, 9, 2, 5}));
  std::string e = error_of([&] { ops::masked_fill(x, ops::ones({2, 3}), 0); });
  EXPECT_MENTIONS(e, "masked_fill: mask must be bool");
  e = error_of([&] { ops::masked_fill(x, Tensor::from_vector<bool>({true}, {1, 1, 1}), 0); });
  EXPECT_MENTIONS(e, "[1, 1, 1]");
}

TEST(MaskedSelect, KeepsTrueElementsInRowMajorOrder) {
  Tensor x = ops::arange(0, 6).reshape({2, 3}).transpose(0, 1);  // [[0 3] [1 4] [2 5]]
  Tensor mask = Tensor::from_vector<bool>({true, false, false, true, true, true}, {3, 2});
  Tensor kept = ops::masked_select(x, mask);
  EXPECT_EQ(kept.shape(), (Shape{4}));
  EXPECT_EQ(values(kept), (std::vector<double>{0, 4, 2, 5}));
  Tensor row = Tensor::from_vector<bool>({false, true}, {2});  // broadcast: second column
  EXPECT_EQ(values(ops::masked_select(x, row)), (std::vector<double>{3, 4, 5}));
  EXPECT_EQ(ops::masked_select(x, ops::lt(x, -1.0)).numel(), 0);
}

TEST(OneHot, EncodesLabels) {
  Tensor labels = longs({2, 0, 1, 2}, {2, 2});
  Tensor h = ops::one_hot(labels, 3);  // [2, 2, 3]
  EXPECT_EQ(h.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(h.dtype(), DType::Float32);
  EXPECT_EQ(values(h), (std::vector<double>{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(ops::one_hot(labels, -1, DType::Int64).shape(), (Shape{2, 2, 3}));
  std::string e = error_of([&] { ops::one_hot(labels, 2); });
  EXPECT_MENTIONS(e, "one_hot: label 2");
  EXPECT_MENTIONS(e, "valid range is [0, 2)");
}

}  // namespace
}  // namespace camlab
