// Checks the fixture reader and the fixtures themselves: every file opens, shapes follow the op
// parameters, and the stored outputs obey their definitions (naive double-precision references).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/all_close.h"
#include "tests/support/fixture.h"

namespace camlab::test {
namespace {

using Shape = std::vector<int64_t>;

// Row-major offset of a 4-d index.
int64_t at4(const Shape& s, int64_t n, int64_t c, int64_t h, int64_t w) {
  return ((n * s[1] + c) * s[2] + h) * s[3] + w;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

const char* const kFiles[] = {"conv2d.h5",    "pool.h5",    "upsample.h5",
                              "batchnorm.h5", "softmax.h5", "convnet.h5"};

TEST(Fixture, EveryFileOpensWithCasesAndProvenance) {
  for (const char* name : kFiles) {
    SCOPED_TRACE(name);
    Fixture f(name);
    EXPECT_FALSE(f.cases().empty());
    EXPECT_EQ(f.text("/", "generator"), "tools/make_fixtures.py");
    EXPECT_EQ(f.text("/", "torch_version").rfind("1.13", 0), 0u);
  }
}

TEST(Fixture, ErrorsNameTheFileAndPath) {
  try {
    Fixture missing("no_such_file.h5");
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_file.h5"), std::string::npos) << e.what();
  }
  Fixture f("conv2d.h5");
  const std::string c = f.cases().front();
  auto message = [](auto&& call) {
    try {
      call();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("<no exception>");
  };
  const std::string no_dataset = message([&] { f.array(c + "/nope"); });
  EXPECT_NE(no_dataset.find("conv2d.h5"), std::string::npos) << no_dataset;
  EXPECT_NE(no_dataset.find(c + "/nope"), std::string::npos) << no_dataset;
  EXPECT_NE(message([&] { f.ints(c, "nope"); }).find("nope"), std::string::npos);
  EXPECT_NE(message([&] { f.text(c, "stride"); }).find("not a string"), std::string::npos);
  EXPECT_NE(message([&] { f.number(c, "stride"); }).find("several"), std::string::npos);
  EXPECT_NE(message([&] { f.array(c); }).find("not a dataset"), std::string::npos);
}

TEST(Fixture, HasWalksNestedPaths) {
  Fixture f("conv2d.h5");
  const std::string c = f.cases().front();
  EXPECT_TRUE(f.has("/"));
  EXPECT_TRUE(f.has(c));
  EXPECT_TRUE(f.has(c + "/x"));
  EXPECT_TRUE(f.has("/" + c + "/weight"));
  EXPECT_FALSE(f.has(c + "/nope"));
  EXPECT_FALSE(f.has("nope/x"));
}

TEST(AllClose, ReportsTheFirstDifference) {
  const Array want{{2, 2}, {1.0, 2.0, 3.0, 4.0}};
  EXPECT_TRUE(all_close(std::vector<double>{1.0, 2.0, 3.0, 4.0 + 1e-6}, want));
  EXPECT_TRUE(all_close(std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f}, want));
  const auto bad = all_close(std::vector<double>{1.0, 2.0, 3.5, 4.5}, want);
  ASSERT_FALSE(bad);
  const std::string text = bad.message();
  EXPECT_NE(text.find("flat index 2 [1, 0]"), std::string::npos) << text;
  EXPECT_NE(text.find("got 3.5, want 3"), std::string::npos) << text;
  EXPECT_NE(text.find("max abs difference 0.5"), std::string::npos) << text;
  EXPECT_FALSE(all_close(std::vector<double>{1.0}, want));
}

// conv2d: y recomputed by direct convolution from the stored inputs and attributes.
TEST(Fixture, Conv2dMatchesDirectConvolution) {
  Fixture f("conv2d.h5");
  ASSERT_GE(f.cases().size(), 10u);
  for (const auto& c : f.cases()) {
    SCOPED_TRACE(c);
    const Array x = f.array(c + "/x"), w = f.array(c + "/weight"), y = f.array(c + "/y");
    const auto stride = f.ints(c, "stride"), pad = f.ints(c, "padding"),
               dil = f.ints(c, "dilation");
    const int64_t groups = f.ints(c, "groups").at(0);
    ASSERT_EQ(stride.size(), 2u);
    ASSERT_EQ(f.has(c + "/bias"), ends_with(c, "_bias"));
    const std::vector<double> bias =
        f.has(c + "/bias") ? f.array(c + "/bias").values : std::vector<double>(w.shape[0], 0.0);
    const int64_t N = x.shape[0], C = x.shape[1], O = w.shape[0], kh = w.shape[2], kw = w.shape[3];
    const int64_t Ho = (x.shape[2] + 2 * pad[0] - dil[0] * (kh - 1) - 1) / stride[0] + 1;
    const int64_t Wo = (x.shape[3] + 2 * pad[1] - dil[1] * (kw - 1) - 1) / stride[1] + 1;
    ASSERT_EQ(y.shape, (Shape{N, O, Ho, Wo}));
    ASSERT_EQ(w.shape[1], C / groups);
    EXPECT_EQ(f.array(c + "/grad_x").shape, x.shape);
    EXPECT_EQ(f.array(c + "/grad_weight").shape, w.shape);
    EXPECT_EQ(f.array(c + "/grad_y").shape, y.shape);

    std::vector<double> got(y.values.size());
    const int64_t cg = C / groups, og = O / groups;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o)
        for (int64_t i = 0; i < Ho; ++i)
          for (int64_t j = 0; j < Wo; ++j) {
            double sum = bias[o];
            for (int64_t ci = 0; ci < cg; ++ci)
              for (int64_t a = 0; a < kh; ++a)
                for (int64_t b = 0; b < kw; ++b) {
                  const int64_t h = i * stride[0] - pad[0] + a * dil[0];
                  const int64_t v = j * stride[1] - pad[1] + b * dil[1];
                  if (h < 0 || h >= x.shape[2] || v < 0 || v >= x.shape[3]) continue;
                  sum += x.values[at4(x.shape, n, (o / og) * cg + ci, h, v)] *
                         w.values[at4(w.shape, o, ci, a, b)];
                }
            got[at4(y.shape, n, o, i, j)] = sum;
          }
    EXPECT_TRUE(all_close(got, y, 1e-12, 1e-12));
  }
}

TEST(Fixture, PoolShapesAndValues) {
  Fixture f("pool.h5");
  for (const auto& c : f.cases()) {
    SCOPED_TRACE(c);
    const Array x = f.array(c + "/x"), y = f.array(c + "/y");
    const std::string op = f.text(c, "op");
    EXPECT_EQ(f.array(c + "/grad_x").shape, x.shape);
    if (op == "adaptive_avg_pool2d") {
      const auto out = f.ints(c, "output_size");
      ASSERT_EQ(y.shape, (Shape{x.shape[0], x.shape[1], out[0], out[1]}));
      continue;
    }
    ASSERT_TRUE(op == "max_pool2d" || op == "avg_pool2d") << op;
    const auto k = f.ints(c, "kernel"), s = f.ints(c, "stride"), p = f.ints(c, "padding");
    const bool include_pad = op == "avg_pool2d" && f.ints(c, "count_include_pad").at(0) == 1;
    const int64_t Ho = (x.shape[2] + 2 * p[0] - k[0]) / s[0] + 1;
    const int64_t Wo = (x.shape[3] + 2 * p[1] - k[1]) / s[1] + 1;
    ASSERT_EQ(y.shape, (Shape{x.shape[0], x.shape[1], Ho, Wo}));
    std::vector<double> got(y.values.size());
    for (int64_t n = 0; n < x.shape[0]; ++n)
      for (int64_t ch = 0; ch < x.shape[1]; ++ch)
        for (int64_t i = 0; i < Ho; ++i)
          for (int64_t j = 0; j < Wo; ++j) {
            double best = -INFINITY, sum = 0;
            int64_t count = 0;
            for (int64_t a = 0; a < k[0]; ++a)
              for (int64_t b = 0; b < k[1]; ++b) {
                const int64_t h = i * s[0] - p[0] + a, v = j * s[1] - p[1] + b;
                if (h < 0 || h >= x.shape[2] || v < 0 || v >= x.shape[3]) continue;
                const double value = x.values[at4(x.shape, n, ch, h, v)];
                best = std::max(best, value);
                sum += value;
                ++count;
              }
            const double divisor = include_pad ? double(k[0] * k[1]) : double(count);
            got[at4(y.shape, n, ch, i, j)] = op == "max_pool2d" ? best : sum / divisor;
          }
    EXPECT_TRUE(all_close(got, y, 1e-12, 1e-12));
  }
  // Global average pooling is the plain spatial mean.
  const Array x = f.array("adaptive_avg_7x5_to_1x1/x"), y = f.array("adaptive_avg_7x5_to_1x1/y");
  const int64_t plane = x.shape[2] * x.shape[3];
  std::vector<double> mean(y.values.size(), 0.0);
  for (size_t i = 0; i < x.values.size(); ++i) mean[i / plane] += x.values[i] / double(plane);
  EXPECT_TRUE(all_close(mean, y, 1e-12, 1e-12));
}

TEST(Fixture, UpsampleShapesAndCorners) {
  Fixture f("upsample.h5");
  for (const auto& c : f.cases()) {
    SCOPED_TRACE(c);
    const Array x = f.array(c + "/x"), y = f.array(c + "/y");
    const auto out = f.ints(c, "out_size");
    ASSERT_EQ(y.shape, (Shape{x.shape[0], x.shape[1], out[0], out[1]}));
    EXPECT_EQ(f.array(c + "/grad_x").shape, x.shape);
    if (f.text(c, "mode") == "bilinear" && f.ints(c, "align_corners").at(0) == 1) {
      // align_corners=True maps corner pixels exactly onto corner pixels.
      const int64_t H = x.shape[2], W = x.shape[3];
      EXPECT_DOUBLE_EQ(y.values[at4(y.shape, 0, 0, 0, 0)], x.values[at4(x.shape, 0, 0, 0, 0)]);
      EXPECT_DOUBLE_EQ(y.values[at4(y.shape, 0, 0, out[0] - 1, out[1] - 1)],
                       x.values[at4(x.shape, 0, 0, H - 1, W - 1)]);
    }
  }
  const Array x = f.array("nearest_5x7_x2_10x14/x"), y = f.array("nearest_5x7_x2_10x14/y");
  for (int64_t i = 0; i < 10; ++i)
    for (int64_t j = 0; j < 14; ++j)
      ASSERT_EQ(y.values[at4(y.shape, 1, 2, i, j)], x.values[at4(x.shape, 1, 2, i / 2, j / 2)]);
}

TEST(Fixture, BatchnormRunningStatsAndEvalOutput) {
  Fixture f("batchnorm.h5");
  const double momentum = f.number("train", "momentum"), eps = f.number("train", "eps");
  EXPECT_DOUBLE_EQ(momentum, 0.1);
  EXPECT_DOUBLE_EQ(eps, 1e-5);
  for (const std::string c : {"train", "eval"}) {
    SCOPED_TRACE(c);
    const Array x = f.array(c + "/x"), rm = f.array(c + "/running_mean"),
                rv = f.array(c + "/running_var");
    const Array w = f.array(c + "/weight"), b = f.array(c + "/bias"), y = f.array(c + "/y");
    const int64_t C = x.shape[1], count = x.numel() / C, plane = x.shape[2] * x.shape[3];
    std::vector<double> mean(C, 0.0), var(C, 0.0), mean_after(C), var_after(C),
        expect(y.values.size());
    for (int64_t i = 0; i < x.numel(); ++i) mean[(i / plane) % C] += x.values[i] / double(count);
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double d = x.values[i] - mean[(i / plane) % C];
      var[(i / plane) % C] += d * d / double(count);
    }
    const bool training = f.ints(c, "training").at(0) == 1;
    for (int64_t ch = 0; ch < C; ++ch) {
      // Running variance takes the unbiased batch variance (PyTorch's convention).
      mean_after[ch] =
          training ? (1 - momentum) * rm.values[ch] + momentum * mean[ch] : rm.values[ch];
      var_after[ch] =
          training ? (1 - momentum) * rv.values[ch] + momentum * var[ch] * count / (count - 1)
                   : rv.values[ch];
    }
    EXPECT_TRUE(all_close(mean_after, f.array(c + "/running_mean_after"), 1e-12, 1e-12));
    EXPECT_TRUE(all_close(var_after, f.array(c + "/running_var_after"), 1e-12, 1e-12));
    for (int64_t i = 0; i < x.numel(); ++i) {
      const int64_t ch = (i / plane) % C;
      const double m = training ? mean[ch] : rm.values[ch], v = training ? var[ch] : rv.values[ch];
      expect[i] = (x.values[i] - m) / std::sqrt(v + eps) * w.values[ch] + b.values[ch];
    }
    EXPECT_TRUE(all_close(expect, y, 1e-10, 1e-10));
    for (const char* g : {"grad_x", "grad_weight", "grad_bias"})
      EXPECT_TRUE(f.has(c + "/" + g)) << g;
  }
}

TEST(Fixture, SoftmaxRowsSumToOne) {
  Fixture f("softmax.h5");
  int checked = 0;
  for (const auto& c : f.cases()) {
    const std::string op = f.text(c, "op");
    if (op != "softmax" && op != "log_softmax") continue;
    SCOPED_TRACE(c);
    const Array y = f.array(c + "/y");
    const int64_t dim = f.ints(c, "dim").at(0);
    int64_t inner = 1;
    for (size_t d = static_cast<size_t>(dim) + 1; d < y.shape.size(); ++d) inner *= y.shape[d];
    const int64_t len = y.shape[dim], outer = y.numel() / (len * inner);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        double sum = 0;
        for (int64_t k = 0; k < len; ++k) {
          const double v = y.values[(o * len + k) * inner + in];
          sum += op == "softmax" ? v : std::exp(v);
        }
        EXPECT_NEAR(sum, 1.0, 1e-12);
      }
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(Fixture, CrossEntropyIsMeanNegativeLogSoftmax) {
  Fixture f("softmax.h5");
  const Array x = f.array("cross_entropy/x"), t = f.array("cross_entropy/target"),
              y = f.array("cross_entropy/y");
  ASSERT_TRUE(y.shape.empty());  // a scalar loss
  ASSERT_TRUE(f.array("cross_entropy/grad_y").shape.empty());
  EXPECT_EQ(f.number("cross_entropy_smoothing", "label_smoothing"), 0.1);
  EXPECT_EQ(f.array("cross_entropy_weight/weight").shape, (Shape{x.shape[1]}));
  const int64_t N = x.shape[0], K = x.shape[1];
  double loss = 0;
  for (int64_t n = 0; n < N; ++n) {
    double denom = 0;
    for (int64_t k = 0; k < K; ++k) denom += std::exp(x.values[n * K + k]);
    loss += (std::log(denom) - x.values[n * K + static_cast<int64_t>(t.values[n])]) / double(N);
  }
  EXPECT_TRUE(all_close(std::vector<double>{loss}, y, 1e-12, 1e-12));
}

TEST(Fixture, ConvnetHasEveryParameterAndGradient) {
  Fixture f("convnet.h5");
  ASSERT_EQ(f.cases(), std::vector<std::string>{"gapnet"});
  const std::string c = "gapnet";
  for (const std::string p :
       {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"}) {
    SCOPED_TRACE(p);
    EXPECT_EQ(f.array(c + "/grad_" + p).shape, f.array(c + "/" + p).shape);
  }
  EXPECT_EQ(f.array(c + "/conv2.weight").shape, (Shape{8, 4, 3, 3}));
  EXPECT_EQ(f.array(c + "/x").shape, (Shape{4, 1, 12, 12}));
  EXPECT_EQ(f.array(c + "/grad_x").shape, (Shape{4, 1, 12, 12}));
  const Array logits = f.array(c + "/logits"), t = f.array(c + "/target");
  ASSERT_EQ(logits.shape, (Shape{4, 3}));
  double loss = 0;
  for (int64_t n = 0; n < 4; ++n) {
    double denom = 0;
    for (int64_t k = 0; k < 3; ++k) denom += std::exp(logits.values[n * 3 + k]);
    loss += (std::log(denom) - logits.values[n * 3 + static_cast<int64_t>(t.values[n])]) / 4.0;
  }
  EXPECT_TRUE(all_close(std::vector<double>{loss}, f.array(c + "/loss"), 1e-12, 1e-12));
}

}  // namespace
}  // namespace camlab::test
