// Finite-difference checks (double) of cat, stack, index_select, gather, scatter_add and
// masked_fill, with repeated indices and non-contiguous inputs; errors through the autograd API.
#include <gtest/gtest.h>

#include <functional>
#include <string>

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

Tensor longs(const std::vector<int64_t>& v, const Shape& shape) {
  return Tensor::from_vector<int64_t>(v, shape);
}

void expect_gradcheck(const autograd::GradcheckFn& f, const Inputs& inputs) {
  auto r = autograd::gradcheck(f, inputs);
  EXPECT_TRUE(r.ok) << r.message;
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

TEST(IndexGrad, CatAlongEachDimWithARepeatedAndAStridedInput) {
  Tensor a = input({2, 3}, 1), b = input({2, 1}, 2), c = input({4, 2}, 3);  // c is seen as [2, 4]
  expect_gradcheck(
      [](const Inputs& in) {
        return cat({in[0], in[1], transpose(in[2], 0, 1), in[0]}, 1);
      },
      {a, b, c});
  Tensor d = input({1, 3}, 4);
  expect_gradcheck([](const Inputs& in) { return cat({in[0], in[1]}, 0); }, {a, d});
}

TEST(IndexGrad, Stack) {
  Tensor a = input({2, 3}, 5), b = input({3, 2}, 6);
  expect_gradcheck(
      [](const Inputs& in) {
        return stack({in[0], transpose(in[1], 0, 1)}, 1);
      },
      {a, b});
  expect_gradcheck(
      [](const Inputs& in) {
        return stack({in[0], in[0], view(in[1], {2, 3})}, -1);
      },
      {a, b});
}

TEST(IndexGrad, IndexSelectSumsRepeatedRows) {
  Tensor x = input({4, 3}, 7);
  Tensor index = longs({3, 0, 3, 3}, {4});
  expect_gradcheck([index](const Inputs& in) { return index_select(in[0], 0, index); }, {x});
  expect_gradcheck(
      [index](const Inputs& in) {
        return index_select(transpose(in[0], 0, 1), 1, index);  // [3, 4] strided, along dim 1
      },
      {x});
  Tensor x3 = input({2, 3, 2}, 8);
  expect_gradcheck(
      [](const Inputs& in) {
        return index_select(in[0], 1, longs({2, 2, 1}, {3}));
      },
      {x3});
}

TEST(IndexGrad, GatherAlongEitherDim) {
  Tensor x = input({3, 4}, 9);
  Tensor rows = longs({2, 0, 2, 1, 1, 1, 0, 2}, {2, 4});  // dim 0, repeats, fewer rows than x
  expect_gradcheck([rows](const Inputs& in) { return gather(in[0], 0, rows); }, {x});
  Tensor cols = longs({3, 3, 0, 1, 2, 2}, {3, 2});
  expect_gradcheck([cols](const Inputs& in) { return gather(in[0], 1, cols); }, {x});
  Tensor xt = input({4, 3}, 10);  // transposed inside f
  expect_gradcheck([cols](const Inputs& in) { return gather(transpose(in[0], 0, 1), 1, cols); },
                   {xt});
}

TEST(IndexGrad, ScatterAddInputAndSource) {
  Tensor x = input({3, 4}, 11);
  Tensor src = input({2, 5}, 12);  // larger than the index: its last column gets no gradient
  Tensor index = longs({0, 2, 2, 1, 2, 2, 0, 0}, {2, 4});
  expect_gradcheck([index](const Inputs& in) { return scatter_add(in[0], 0, index, in[1]); },
                   {x, src});
  Tensor src_t = input({5, 2}, 13);  // a strided source
  expect_gradcheck(
      [index](const Inputs& in) {
        return scatter_add(in[0], 1, index.narrow(1, 0, 3), transpose(in[1], 0, 1));
      },
      {x, src_t});
  // The padding path: gradient of src is exactly zero where the index does not reach.
  Tensor y = scatter_add(x, 0, index, src);
  backward(y, ops::ones_like(y));  // d(Σ y)/d·
  EXPECT_EQ(src.grad().at<double>({0, 4}), 0.0);
  EXPECT_EQ(src.grad().at<double>({1, 1}), 1.0);
}

TEST(IndexGrad, MaskedFillWithABroadcastMask) {
  Tensor x = input({3, 4}, 14);
  Tensor mask = Tensor::from_vector<bool>({true, false, false, true}, {4});
  expect_gradcheck([mask](const Inputs& in) { return masked_fill(in[0], mask, 2.5); }, {x});
  Tensor xt = input({4, 3}, 15);
  expect_gradcheck(
      [mask](const Inputs& in) { return masked_fill(transpose(in[0], 0, 1), mask, -1); }, {xt});
}

TEST(IndexGrad, ErrorsNameTheOpAndShapes) {
  Tensor x = input({2, 3}, 16);
  std::string e = error_of([&] { index_select(x, 1, longs({1, 3}, {2})); });
  EXPECT_MENTIONS(e, "index_select: index 3");
  EXPECT_MENTIONS(e, "[2, 3]");
  EXPECT_MENTIONS(e, "valid range is [0, 3)");
  e = error_of([&] { gather(x, 0, longs({5}, {1, 1})); });
  EXPECT_MENTIONS(e, "gather: index 5");
  EXPECT_MENTIONS(e, "valid range is [0, 2)");
  e = error_of([&] { cat({x, ops::zeros({2, 3})}, 0); });
  EXPECT_MENTIONS(e, "cat: tensor 1 is float32 [2, 3] but tensor 0 is float64 [2, 3]");
  e = error_of([&] { cat({x, input({3, 2}, 17)}, 0); });
  EXPECT_MENTIONS(e, "cat: tensor 1 has shape [3, 2] but tensor 0 has [2, 3]");
  e = error_of([&] { stack({x, x, input({2, 2}, 18)}, 0); });
  EXPECT_MENTIONS(e, "stack: tensor 2 has shape [2, 2] but tensor 0 has [2, 3]");
  e = error_of([&] { scatter_add(x, 0, longs({0}, {1, 1}), input({1}, 19)); });
  EXPECT_MENTIONS(e, "scatter_add");
  EXPECT_MENTIONS(e, "[2, 3]");
}

}  // namespace
}  // namespace camlab
