// Merge (nn/merge.h): add, concat and mul forward values, the squeeze-and-excitation gate,
// gradients by finite differences in double, one-line shape errors and hooks.
#include "nn/merge.h"

#include <gtest/gtest.h>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

using test::values;

// 0, 1, 2, ... + start laid out as `shape`.
Tensor counting(const Shape& shape, double start, DType dtype = DType::Float32) {
  return camlab::reshape(ops::arange(start, start + static_cast<double>(numel(shape)), 1, dtype),
                         shape);
}

TEST(Merge, AddSumsEveryOperand) {
  const Tensor a = counting({2, 3, 2, 2}, 0);  // [N, C, H, W]
  const Tensor b = counting({2, 3, 2, 2}, 100);
  const Tensor c = counting({2, 3, 2, 2}, -7);
  const std::vector<double> got = values(Merge(MergeKind::Add)({a, b, c}));
  ASSERT_EQ(got.size(), 24u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], 3.0 * static_cast<double>(i) + 93);
}

TEST(Merge, ConcatJoinsAlongChannels) {
  const Tensor a = counting({2, 1, 2, 2}, 0);    // [N, 1, H, W]
  const Tensor b = counting({2, 2, 2, 2}, 100);  // [N, 2, H, W]
  const Tensor y = Merge(MergeKind::Concat)({a, b});
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2, 2}));
  const std::vector<double> got = values(y), va = values(a), vb = values(b);
  for (int64_t n = 0; n < 2; ++n) {
    for (int64_t p = 0; p < 4; ++p) {
      EXPECT_EQ(got[n * 12 + p], va[n * 4 + p]) << "channel 0 is a's";
      EXPECT_EQ(got[n * 12 + 4 + p], vb[n * 8 + p]) << "channel 1 is b's first";
      EXPECT_EQ(got[n * 12 + 8 + p], vb[n * 8 + 4 + p]) << "channel 2 is b's second";
    }
  }
}

TEST(Merge, MulMultipliesEqualShapes) {
  const Tensor a = counting({1, 2, 3}, 1);
  const Tensor b = counting({1, 2, 3}, 2);
  const std::vector<double> got = values(Merge(MergeKind::Mul)({a, b}));
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], static_cast<double>((i + 1) * (i + 2)));
  }
}

// Squeeze-and-excitation: y[n, c, h, w] = map[n, c, h, w] · gate[n, c], the gate on either side.
TEST(Merge, MulScalesEachChannelByAnNCGate) {
  const Tensor map = counting({2, 3, 2, 2}, 0);  // [N, C, H, W]
  const Tensor gate = counting({2, 3}, 1);       // [N, C]
  for (const bool gate_first : {false, true}) {
    const Tensor y =
        gate_first ? Merge(MergeKind::Mul)({gate, map}) : Merge(MergeKind::Mul)({map, gate});
    EXPECT_EQ(y.shape(), map.shape());
    const std::vector<double> got = values(y), m = values(map), g = values(gate);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i], m[i] * g[i / 4]) << "element " << i << ", gate first " << gate_first;
    }
  }
}

TEST(Merge, GradientsMatchFiniteDifferences) {
  Generator gen(11);
  auto input = [&gen](const Shape& shape) {
    Tensor t = ops::randn(shape, gen, DType::Float64);
    t.set_requires_grad(true);
    return t;
  };
  const Tensor a = input({2, 2, 3, 3}), b = input({2, 2, 3, 3}), c = input({2, 1, 3, 3});
  const Tensor gate = input({2, 2});
  auto merge_with = [](MergeKind kind) {
    return [kind](const std::vector<Tensor>& in) { return Merge(kind)(in); };
  };
  for (const auto& [kind, operands] : std::vector<std::pair<MergeKind, std::vector<Tensor>>>{
           {MergeKind::Add, {a, b, a}},  // a twice: its gradient sums both paths
           {MergeKind::Concat, {a, c, b}},
           {MergeKind::Mul, {a, b}},
           {MergeKind::Mul, {a, gate}},
           {MergeKind::Mul, {gate, b}}}) {
    const autograd::GradcheckResult r = autograd::gradcheck(merge_with(kind), operands);
    EXPECT_TRUE(r.ok) << merge_kind_name(kind) << ": " << r.message;
  }
}

TEST(Merge, ShapeErrorsNameBothShapesOnOneLine) {
  const Tensor big = ops::zeros({1, 2, 4, 4}), small = ops::zeros({1, 3, 2, 2});
  EXPECT_ERROR_CONTAINS(Merge(MergeKind::Concat)({big, small}), "cannot concat", "[1, 2, 4, 4]",
                        "[1, 3, 2, 2]", "dim 1");
  EXPECT_ERROR_CONTAINS(Merge(MergeKind::Add)({big, small}), "cannot add", "[1, 2, 4, 4]",
                        "[1, 3, 2, 2]", "equal shapes");
  EXPECT_ERROR_CONTAINS(Merge(MergeKind::Mul)({big, ops::zeros({1, 3})}), "cannot mul",
                        "[1, 2, 4, 4]", "[1, 3]", "[N, C] gate");
  EXPECT_ERROR_CONTAINS(Merge(MergeKind::Add)({big}), "at least 2 inputs, got 1");
  Merge lone(MergeKind::Add);
  Module& as_module = lone;
  EXPECT_ERROR_CONTAINS(as_module(big), "call it as merge({a, b})");
}

TEST(Merge, MergedShapeOfAChain) {
  EXPECT_EQ(merged_shape(MergeKind::Concat, {{1, 2, 5, 5}, {1, 3, 5, 5}, {1, 4, 5, 5}}, "cat"),
            (Shape{1, 9, 5, 5}));
  EXPECT_EQ(merged_shape(MergeKind::Mul, {{2, 8}, {2, 8, 3, 3}}, "se"), (Shape{2, 8, 3, 3}));
  EXPECT_ERROR_CONTAINS(merged_shape(MergeKind::Add, {{1, 2}, {1, 2}, {1, 3}}, "merge 'sum'"),
                        "merge 'sum': cannot add [1, 2] and [1, 3]");
}

TEST(Merge, HooksSeeTheFirstOperandAndTheMergedOutput) {
  Merge concat(MergeKind::Concat);
  const Tensor a = counting({1, 1, 2, 2}, 0), b = counting({1, 1, 2, 2}, 10);
  int calls = 0;
  ScopedForwardHook after =
      concat.register_forward_hook([&](Module&, const Tensor& input, const Tensor& output) {
        ++calls;
        EXPECT_EQ(values(input), values(a));
        EXPECT_EQ(output.shape(), (Shape{1, 2, 2, 2}));
      });
  concat({a, b});
  EXPECT_EQ(calls, 1);
  // A pre-hook's replacement stands in for the first operand.
  ScopedForwardHook before = concat.register_forward_pre_hook(
      [&](Module&, const Tensor& input) { return camlab::mul(input, 0.0); });
  after.remove();
  const std::vector<double> got = values(concat({a, b}));
  EXPECT_EQ(std::vector<double>(got.begin(), got.begin() + 4), std::vector<double>(4, 0.0));
  EXPECT_EQ(std::vector<double>(got.begin() + 4, got.end()), values(b));
}

}  // namespace
}  // namespace camlab::nn
