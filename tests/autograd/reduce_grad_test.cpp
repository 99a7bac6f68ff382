// Finite-difference checks (double) for the reductions and the softmax family: several shapes,
// every kind of dim list, keepdim both ways, non-contiguous inputs; plus the tie rules of
// amax/max and the zero-variance/zero-norm cases that gradcheck cannot probe.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"

namespace camlab {
namespace {

using Inputs = std::vector<Tensor>;
constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor input(const Shape& shape, uint64_t seed, double low = -1, double high = 1) {
  Generator gen(seed);
  Tensor t = ops::uniform(shape, low, high, gen, DType::Float64);
  t.set_requires_grad(true);
  return t;
}

void expect_gradcheck(const autograd::GradcheckFn& f, const Inputs& inputs,
                      const std::string& what) {
  auto r = autograd::gradcheck(f, inputs);
  EXPECT_TRUE(r.ok) << what << ": " << r.message;
}

// A shape and the dim lists worth reducing it over (empty = all).
struct Case {
  Shape shape;
  std::vector<Shape> dim_lists;
};

const std::vector<Case> kCases = {
    {{5}, {{}, {0}, {-1}}},
    {{3, 4}, {{}, {0}, {1}, {-1, 0}}},
    {{2, 3, 4}, {{}, {1}, {0, 2}, {-1}, {0, 1, 2}}},
};

// f(x) and f(xᵀ) (a permuted view made inside f, so the kernels see strided input).
template <typename F>
void check_reduction(const char* name, F f, double low = -1, double high = 1) {
  uint64_t seed = 1;
  for (const Case& c : kCases) {
    for (const Shape& dims : c.dim_lists) {
      for (bool keepdim : {false, true}) {
        const std::string what = std::string(name) + " " + shape_str(c.shape) + " dims " +
                                 shape_str(dims) + (keepdim ? " keepdim" : "");
        Tensor x = input(c.shape, seed++, low, high);
        expect_gradcheck([&](const Inputs& in) { return f(in[0], dims, keepdim); }, {x}, what);
        if (c.shape.size() < 2) continue;
        Shape flipped = c.shape;
        std::swap(flipped.front(), flipped.back());
        Tensor xt = input(flipped, seed++, low, high);
        expect_gradcheck(
            [&](const Inputs& in) {
              return f(transpose(in[0], 0, static_cast<int64_t>(flipped.size()) - 1), dims,
                       keepdim);
            },
            {xt}, what + " transposed");
      }
    }
  }
}

TEST(ReduceGrad, SumAndMean) {
  check_reduction("sum", [](const Tensor& x, const Shape& d, bool k) { return sum(x, d, k); });
  check_reduction("mean", [](const Tensor& x, const Shape& d, bool k) { return mean(x, d, k); });
}

TEST(ReduceGrad, AmaxAndAminWithoutTies) {
  check_reduction("amax", [](const Tensor& x, const Shape& d, bool k) { return amax(x, d, k); });
  check_reduction("amin", [](const Tensor& x, const Shape& d, bool k) { return amin(x, d, k); });
}

TEST(ReduceGrad, VarAndStdWithCorrections) {
  for (int64_t correction : {0, 1}) {
    check_reduction("var", [correction](const Tensor& x, const Shape& d, bool k) {
      return var(x, d, correction, k);
    });
    check_reduction("std", [correction](const Tensor& x, const Shape& d, bool k) {
      return std(x, d, correction, k);
    });
  }
}

TEST(ReduceGrad, NormForEveryP) {
  for (double p : {1.0, 2.0, 3.0, kInf, -kInf}) {
    check_reduction("norm",
                    [p](const Tensor& x, const Shape& d, bool k) { return norm(x, p, d, k); });
  }
  // p < 1 has an infinite slope at 0: keep the inputs away from it.
  check_reduction(
      "norm p=0.5", [](const Tensor& x, const Shape& d, bool k) { return norm(x, 0.5, d, k); }, 0.2,
      1.5);
}

TEST(ReduceGrad, Logsumexp) {
  check_reduction(
      "logsumexp", [](const Tensor& x, const Shape& d, bool k) { return logsumexp(x, d, k); }, -3,
      3);
}

TEST(ReduceGrad, MaxMinValuesAlongADim) {
  for (int64_t dim : {0, 1, -1}) {
    for (bool keepdim : {false, true}) {
      Tensor x = input({3, 4}, 40 + dim);
      const std::string what = "dim " + std::to_string(dim);
      expect_gradcheck([&](const Inputs& in) { return max(in[0], dim, keepdim).first; }, {x},
                       "max " + what);
      expect_gradcheck([&](const Inputs& in) { return min(in[0], dim, keepdim).first; }, {x},
                       "min " + what);
      expect_gradcheck(
          [&](const Inputs& in) { return max(transpose(in[0], 0, 1), dim, keepdim).first; }, {x},
          "max transposed " + what);
    }
  }
  auto [values, indices] = max(input({2, 5}, 3), 1);
  EXPECT_TRUE(values.requires_grad());
  EXPECT_FALSE(indices.requires_grad());  // int64 indices carry no gradient
  EXPECT_EQ(indices.dtype(), DType::Int64);
}

TEST(ReduceGrad, TiesShareTheGradientEvenlyForAmaxButNotForMax) {
  Tensor x = Tensor::from_vector<double>({1, 3, 3, 2, 5, 5, 5, 0}, {2, 4});
  x.set_requires_grad(true);
  backward(sum(amax(x, {1})));
  const std::vector<double> shared = {0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0};
  for (int64_t i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(x.grad().data<double>()[i], shared[i]) << i;
  // max(dim) sends everything to the index it returns (the first).
  x.zero_grad();
  backward(sum(max(x, 1).first));
  const std::vector<double> first = {0, 1, 0, 0, 1, 0, 0, 0};
  for (int64_t i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(x.grad().data<double>()[i], first[i]) << i;
  // The ∞-norm follows amax's rule on |x|, with the sign of x.
  Tensor y = Tensor::from_vector<double>({-2, 2, 1}, {3});
  y.set_requires_grad(true);
  backward(norm(y, kInf));
  EXPECT_DOUBLE_EQ(y.grad().data<double>()[0], -0.5);
  EXPECT_DOUBLE_EQ(y.grad().data<double>()[1], 0.5);
  EXPECT_DOUBLE_EQ(y.grad().data<double>()[2], 0.0);
}

TEST(ReduceGrad, ZeroStdAndZeroNormGiveZeroGradient) {
  Tensor x = ops::full({2, 3}, 4.0, DType::Float64);
  x.set_requires_grad(true);
  backward(sum(std(x, {1})));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(x.grad().data<double>()[i], 0.0);
  Tensor z = ops::zeros({4}, DType::Float64);
  z.set_requires_grad(true);
  backward(norm(z));
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(z.grad().data<double>()[i], 0.0);
}

TEST(ReduceGrad, SoftmaxAndLogSoftmaxAlongEveryDim) {
  for (const Shape& shape : {Shape{6}, Shape{3, 5}, Shape{2, 3, 4}}) {
    for (int64_t dim = -1; dim < static_cast<int64_t>(shape.size()); ++dim) {
      const std::string what = shape_str(shape) + " dim " + std::to_string(dim);
      Tensor x = input(shape, 60 + shape.size() + dim, -3, 3);
      expect_gradcheck([dim](const Inputs& in) { return softmax(in[0], dim); }, {x},
                       "softmax " + what);
      expect_gradcheck([dim](const Inputs& in) { return log_softmax(in[0], dim); }, {x},
                       "log_softmax " + what);
      if (shape.size() < 2) continue;
      expect_gradcheck([dim](const Inputs& in) { return softmax(transpose(in[0], 0, -1), dim); },
                       {x}, "softmax transposed " + what);
      expect_gradcheck(
          [dim](const Inputs& in) { return log_softmax(transpose(in[0], 0, -1), dim); }, {x},
          "log_softmax transposed " + what);
    }
  }
}

TEST(ReduceGrad, ComposedPipelineMatchesGradcheck) {
  // A Grad-CAM-like head: spatial mean, log_softmax, pick a class score, var as a regulariser.
  Tensor x = input({2, 3, 4, 4}, 77);
  expect_gradcheck(
      [](const Inputs& in) {
        Tensor pooled = mean(in[0], {2, 3});                                        // [2, 3]
        Tensor scores = log_softmax(pooled, 1);                                     // [2, 3]
        return amax(scores, {1}) + var(in[0], {1, 2, 3}) + logsumexp(pooled, {1});  // [2]
      },
      {x}, "pipeline");
}

}  // namespace
}  // namespace camlab
