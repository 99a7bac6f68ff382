// cam/methods targets: top-k order, several classes per call (the expanded batch equals one call
// per class), the softmax score's gradient against its closed form, the segmentation target's
// Grad-CAM against a hand computation, and the cosine target of an image against itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "cam/methods/multi_target.h"
#include "cam/methods/segmentation_target.h"
#include "cam/methods/similarity_target.h"
#include "tensor/ops.h"
#include "tests/cam/cam_methods_fixture.h"

namespace camlab::cam::test {
namespace {

Array as_array(const Tensor& t) { return Array{t.shape(), values(t.contiguous())}; }

TEST(CamTargets, TopKPicksTheKLargestLogitsInOrder) {
  Generator gen(7);
  const Tensor logits = ops::randn({5, 9}, gen, DType::Float64);  // [5, 9]
  const Tensor top = top_k_classes(logits, 4);                    // int64 [5, 4]
  ASSERT_EQ(top.shape(), (Shape{5, 4}));
  const std::vector<double> y = values(logits), picked = values(top);
  for (int64_t n = 0; n < 5; ++n) {
    std::vector<double> row(y.begin() + n * 9, y.begin() + (n + 1) * 9);
    std::vector<double> sorted = row;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    for (int64_t r = 0; r < 4; ++r) {
      // The r-th pick holds the r-th largest logit of its row.
      EXPECT_EQ(row[static_cast<size_t>(picked[n * 4 + r])], sorted[r]) << n << " rank " << r;
    }
  }
  // Ties: the lower class first, and all classes in logit order.
  const Tensor tied = Tensor::from_vector<double>({1, 3, 3, 0}, {1, 4});
  EXPECT_EQ(values(top_k_classes(tied, 4)), (std::vector<double>{1, 2, 0, 3}));
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(top_k_classes(tied, 5)), {"k = 5", "valid 1..4"}));
  EXPECT_EQ(values(all_classes(2, 3)), (std::vector<double>{0, 1, 2, 0, 1, 2}));
}

TEST(CamTargets, SeveralClassesInOneCallEqualOneCallPerClass) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);  // [3, 1, 12, 12]
  // Column 0: each image's own label; columns 1..3: every class.
  const Tensor classes =
      ops::cat({fx.labels().reshape({3, 1}), all_classes(3, 3)}, 1);  // int64 [3, 4]
  for (const std::string& name : method_names()) {
    // Fresh draws per call (DFF: its NMF's initial factors), so no two calls agree.
    if (name == "randomcam" || name == "smoothgrad" || name == "sscam" || name == "dff") continue;
    SCOPED_TRACE(name);
    MethodSettings settings{.integrated_gradients = {.steps = 4}};
    settings.set_batch_size(5);
    auto method = make_method(name, *net, settings);
    // max_images 7: two columns (6 images) per call, so the calls straddle the columns.
    const std::vector<Explanation> columns =
        explain_classes(*method, x, classes, softmax_score(), 7);
    ASSERT_EQ(columns.size(), 4u);
    for (int64_t t = 0; t < 4; ++t) {
      const Tensor column = classes.select(1, t).contiguous();  // int64 [3]
      const Explanation one =
          method->explain(x, Target::labels(column).with_score(softmax_score()));
      EXPECT_EQ(values(columns[t].targets), values(column)) << "column " << t;
      EXPECT_TRUE(all_close(values(columns[t].maps), as_array(one.maps), 0, 1e-5)) << t;
      EXPECT_TRUE(all_close(values(columns[t].raw), as_array(one.raw), 1e-5, 1e-9)) << t;
    }
  }
}

TEST(CamTargets, SoftmaxScoreGradientIsTheAnalyticOne) {
  // d p_c / d y_j = p_c (δ_cj − p_j) for p = softmax(y).
  Generator gen(3);
  Tensor logits = ops::randn({4, 5}, gen, DType::Float64);  // [4, 5]
  logits.set_requires_grad(true);
  const Tensor classes = Tensor::from_vector<int64_t>({0, 4, 2, 2}, {4});
  const Tensor scores = Target::labels(classes)
                            .with_score(score_named("softmax"))
                            .scores(logits, classes, "test");  // [4]
  const std::vector<Tensor> grads = autograd::grad({scores}, {logits}, {ops::ones_like(scores)});
  const std::vector<double> y = values(logits), got = values(grads[0]), score = values(scores);
  std::vector<double> want;
  for (int64_t n = 0; n < 4; ++n) {
    double z = 0;
    for (int64_t j = 0; j < 5; ++j) z += std::exp(y[n * 5 + j]);
    const auto c = static_cast<int64_t>(values(classes)[n]);
    const double pc = std::exp(y[n * 5 + c]) / z;
    EXPECT_NEAR(score[n], pc, 1e-12);
    for (int64_t j = 0; j < 5; ++j) {
      want.push_back(pc * ((j == c ? 1.0 : 0.0) - std::exp(y[n * 5 + j]) / z));
    }
  }
  EXPECT_TRUE(all_close(got, Array{{4, 5}, want}, 1e-10, 1e-12));
  EXPECT_TRUE(
      mentions(CAM_ERROR_MESSAGE(score_named("prob")), {"'prob'", "logit, softmax, sigmoid"}));
}

// conv1 (1->3, 3x3, pad 1), relu1, head (3->2, 1x1): per-pixel logits [N, 2, 8, 8].
std::shared_ptr<nn::Sequential> tiny_segmenter(Generator& gen) {
  using namespace camlab::nn;
  return std::make_shared<Sequential>(std::vector<std::pair<std::string, std::shared_ptr<Module>>>{
      {"conv1", std::make_shared<Conv2d>(1, 3, 3, Conv2dOptions{.padding = 1}, gen)},
      {"relu1", std::make_shared<ReLU>()},
      {"head", std::make_shared<Conv2d>(3, 2, 1, Conv2dOptions{}, gen)}});
}

TEST(CamTargets, SegmentationGradCamEqualsTheHandComputation) {
  // S = Σ_hw y_c[h, w] M[h, w] with y_c = Σ_k W[c, k] A_k + b_c, so dS/dA_k = W[c, k] M and
  // Grad-CAM's weight is α_k = W[c, k] · ΣM / (h·w); the map is ReLU(Σ_k α_k A_k).
  Generator gen(11);
  auto net = tiny_segmenter(gen);
  net->to(DType::Float64);
  net->eval();
  const Tensor x = ops::randn({2, 1, 8, 8}, gen, DType::Float64);  // [2, 1, 8, 8]
  Tensor a, y;  // [2, 3, 8, 8] relu1's output, [2, 2, 8, 8] the logits
  {
    autograd::NoGradGuard no_grad;
    a = net->find("relu1")(net->find("conv1")(x));
    y = (*net)(x);
  }
  const std::vector<double> av = values(a), yv = values(y);
  const std::vector<double> w = values(net->find("head").named_parameters().at("weight"));  // [2,3]
  for (const int64_t c : {0, 1}) {
    SCOPED_TRACE(c);
    auto gradcam = make_method("gradcam", *net, {.common = {.layers = {"relu1"}}});
    const Explanation e = gradcam->explain(x, Target::fixed(c).with_score(segmentation_score()));
    std::vector<double> want;
    for (int64_t n = 0; n < 2; ++n) {
      double mask_sum = 0;  // the pixels predicted as c
      for (int64_t p = 0; p < 64; ++p) {
        const double mine = yv[(n * 2 + c) * 64 + p], other = yv[(n * 2 + 1 - c) * 64 + p];
        mask_sum += (mine > other || (mine == other && c == 0)) ? 1 : 0;
      }
      for (int64_t p = 0; p < 64; ++p) {
        double sum = 0;
        for (int64_t k = 0; k < 3; ++k)
          sum += w[c * 3 + k] * mask_sum / 64 * av[(n * 3 + k) * 64 + p];
        want.push_back(std::max(sum, 0.0));
      }
    }
    ASSERT_EQ(e.raw.shape(), (Shape{2, 8, 8}));
    EXPECT_TRUE(all_close(values(e.raw), Array{{2, 8, 8}, want}, 1e-10, 1e-12));
    // A given mask of every pixel: α_k = W[c, k], the plain sum of the class's pixel logits.
    const Explanation whole = make_method("gradcam", *net, {.common = {.layers = {"relu1"}}})
                                  ->explain(x, Target::fixed(c).with_score(segmentation_score(
                                                   ops::ones({8, 8}, DType::Float64))));
    std::vector<double> want_whole;
    for (int64_t n = 0; n < 2; ++n) {
      for (int64_t p = 0; p < 64; ++p) {
        double sum = 0;
        for (int64_t k = 0; k < 3; ++k) sum += w[c * 3 + k] * av[(n * 3 + k) * 64 + p];
        want_whole.push_back(std::max(sum, 0.0));
      }
    }
    EXPECT_TRUE(all_close(values(whole.raw), Array{{2, 8, 8}, want_whole}, 1e-10, 1e-12));
  }
  // The predicted class of a segmenter's image is the largest mean pixel logit.
  EXPECT_EQ(values(Target::predicted().classes(y, "test")),
            values(ops::argmax(ops::mean(y, {2, 3}), 1)));
  auto at_relu1 = make_method("gradcam", *net, {.common = {.layers = {"relu1"}}});
  EXPECT_TRUE(mentions(
      CAM_ERROR_MESSAGE(at_relu1->explain(x, Target::fixed(0).with_score(segmentation_score(
                                                 ops::ones({3, 8, 8}, DType::Float64))))),
      {"segmentation target", "[3, 8, 8]", "[H, W]"}));
}

TEST(CamTargets, CosineTargetIsOneForTheImageAgainstItself) {
  CamFixture fx;
  auto net = fx.net(DType::Float64);
  const Tensor x = fx.inputs(DType::Float64);  // [3, 1, 12, 12]
  for (const std::string layer : {"", "relu2"}) {
    SCOPED_TRACE(layer);
    const FeatureSimilarity like_first(*net, layer, x.narrow(0, 0, 1));
    Tensor scores;
    {
      autograd::NoGradGuard no_grad;
      scores = like_first.score()((*net)(x), Tensor());  // [3]
    }
    const std::vector<double> s = values(scores);
    EXPECT_NEAR(s[0], 1.0, 1e-12);
    EXPECT_LT(s[1], 1.0 - 1e-6);
    EXPECT_LT(s[2], 1.0 - 1e-6);
    // The maps of the cosine target: Grad-CAM differentiates it like any score.
    const Explanation e = make_method("gradcam", *net, {.common = {.layers = {"conv1"}}})
                              ->explain(x, Target::predicted().with_score(like_first.score()));
    EXPECT_EQ(e.maps.shape(), (Shape{3, 12, 12}));
    EXPECT_GT(values(ops::amax(e.raw))[0], 0.0);
  }
  EXPECT_TRUE(mentions(CAM_ERROR_MESSAGE(FeatureSimilarity(*net, "", x)),
                       {"similarity target", "[1, C, H, W]", "[3, 1, 12, 12]"}));
}

}  // namespace
}  // namespace camlab::cam::test
