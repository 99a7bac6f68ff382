// Several targets per image through the explain pipeline: the target list becomes map columns
// (all, topK, indices, names), one-line errors for bad entries, and explain() writes one map per
// (method, class) with each map's classes recorded in the HDF5 file; a segmenter's per-image
// regions stay with their images.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "cam/methods/dff.h"
#include "cam/methods/multi_target.h"
#include "cam/methods/segmentation_target.h"
#include "cam/render/concept_figure.h"
#include "cam/render/heatmap.h"
#include "experiments/explain/explain.h"
#include "experiments/explain/target_columns.h"
#include "experiments/wsol/segmenter.h"
#include "tensor/ops.h"
#include "tests/cam/cam_methods_fixture.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

using cam::test::mentions;
using cam::test::values;

const std::vector<std::string> kNames = {"circle", "square", "triangle"};

// The fixture's three images as explain() takes them, with their labels, names and pictures.
ExplainInputs fixture_inputs(const cam::test::CamFixture& fx) {
  ExplainInputs in;
  in.images = fx.inputs(DType::Float32);  // [3, 1, 12, 12]
  in.labels = fx.labels();
  in.indices = Tensor::from_vector<int64_t>({0, 1, 2}, {3});
  for (int64_t i = 0; i < 3; ++i) {
    in.names.push_back("#" + std::to_string(i));
    in.shown.push_back(render::to_rgb(in.images.select(0, i)));
  }
  return in;
}

TEST(ExplainTargets, EntriesBecomeColumns) {
  const Tensor logits = Tensor::from_vector<float>({0.1F, 2.0F, 1.0F,  //
                                                    3.0F, -1.0F, 0.5F},
                                                   {2, 3});
  const Tensor labels = Tensor::from_vector<int64_t>({2, 1}, {2});
  const TargetColumns top = target_columns({"top2"}, logits, labels, kNames);
  EXPECT_EQ(values(top.classes), (std::vector<double>{1, 2, 0, 2}));  // [2, 2]
  EXPECT_EQ(top.keys, (std::vector<std::string>{"top1", "top2"}));
  const TargetColumns mixed =
      target_columns({"pred", "label", "square", "0"}, logits, labels, kNames);
  EXPECT_EQ(values(mixed.classes), (std::vector<double>{1, 2, 1, 0,  //
                                                        0, 1, 1, 0}));
  EXPECT_EQ(mixed.titles, (std::vector<std::string>{"", "", "square", "circle"}));
  const TargetColumns every = target_columns({"all"}, logits, Tensor(), {});
  EXPECT_EQ(values(every.classes), (std::vector<double>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(every.keys, (std::vector<std::string>{"0", "1", "2"}));

  auto error = [&](const std::vector<std::string>& entries) {
    return CAM_ERROR_MESSAGE(target_columns(entries, logits, Tensor(), kNames));
  };
  EXPECT_TRUE(mentions(error({"top4"}), {"target top4", "3 classes", "top1..top3"}));
  EXPECT_TRUE(mentions(error({"top0"}), {"target top0", "top1..top3"}));
  EXPECT_TRUE(mentions(error({"label"}), {"target label", "no labels"}));
  EXPECT_TRUE(mentions(error({"dog"}), {"dog"}));
}

TEST(ExplainTargets, OneMapPerMethodAndClassWithTheClassesRecorded) {
  cam::test::CamFixture fx;
  auto net = fx.net(DType::Float32);
  const ExplainInputs in = fixture_inputs(fx);
  test::TempDir dir;
  const ExplainRequest request{.methods = {"gradcam", "scorecam"},
                               .targets = {"top2", "circle"},
                               .score = "softmax",
                               .class_names = kNames,
                               .out = dir.path() / "figs",
                               .h5 = dir.path() / "maps.h5"};
  const ExplainResult result = explain(*net, in, request);
  EXPECT_EQ(result.columns,
            (std::vector<std::string>{"gradcam: top1", "gradcam: top2", "gradcam: circle",
                                      "scorecam: top1", "scorecam: top2", "scorecam: circle"}));
  const ExplanationsFile file = read_explanations(dir.path() / "maps.h5");
  Tensor logits;
  {
    autograd::NoGradGuard no_grad;
    logits = (*net)(in.images);
  }
  const Tensor top = cam::top_k_classes(logits, 2);  // int64 [3, 2]
  for (const std::string method : {"gradcam", "scorecam"}) {
    for (int64_t r = 0; r < 2; ++r) {
      const std::string key = method + ":top" + std::to_string(r + 1);
      ASSERT_TRUE(file.classes.count(key)) << key;
      EXPECT_EQ(values(file.classes.at(key)), values(top.select(1, r).contiguous())) << key;
      EXPECT_EQ(file.maps.at(key).shape(), (Shape{3, 12, 12})) << key;
    }
    EXPECT_EQ(values(file.classes.at(method + ":circle")), (std::vector<double>{0, 0, 0}));
  }
  // The top-1 map under the softmax score is the one a direct softmax call gives.
  const cam::Explanation direct =
      cam::make_method("gradcam", *net, {.common = {.image_shape = {1, 12, 12}}})
          ->explain(
              in.images,
              cam::Target::labels(top.select(1, 0).contiguous()).with_score(cam::softmax_score()));
  EXPECT_TRUE(cam::test::all_close(values(file.maps.at("gradcam:top1")),
                                   {direct.maps.shape(), values(direct.maps)}, 0, 1e-5));
}

// DFF's own figure: every concept's map per image, each concept titled by its best classes; the
// concepts are the factorization a direct DFF call on the same batch gives.
TEST(ExplainTargets, DffWritesItsConceptFigure) {
  cam::test::CamFixture fx;
  auto net = fx.net(DType::Float32);
  const ExplainInputs in = fixture_inputs(fx);
  test::TempDir dir;
  const ExplainRequest with_dff{
      .methods = {"gradcam", "dff"}, .class_names = kNames, .out = dir.path() / "dff"};
  const ExplainResult result = explain(*net, in, with_dff);
  ASSERT_TRUE(result.concept_maps.defined());
  EXPECT_EQ(result.concept_maps.size(0), 3);
  EXPECT_EQ(result.concept_maps.size(1), 5);  // DffOptions::concepts
  EXPECT_EQ(result.concept_scores.shape(), (Shape{5, 3}));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "dff" / "dff_concepts.png"));
  EXPECT_EQ(result.written.back(), dir.path() / "dff" / "dff_concepts.png");

  cam::Dff direct(*net, {.image_shape = {1, 12, 12}});
  (void)direct.explain(in.images, cam::Target::predicted());
  EXPECT_TRUE(cam::test::all_close(
      values(result.concept_maps),
      {direct.factorization().maps.shape(), values(direct.factorization().maps)}, 0, 1e-6));
  // Concept titles: the two classes that score the concept highest, best first.
  const Tensor scores = Tensor::from_vector<float>({1.0F, 5.0F, 3.0F}, {1, 3});
  EXPECT_EQ(render::concept_title(0, scores, kNames), "concept 1\nsquare 5.0\ntriangle 3.0");
  EXPECT_EQ(render::concept_title(0, scores, {}), "concept 1\nclass 1 5.0\nclass 2 3.0");

  const ExplainRequest without{.methods = {"gradcam"}, .out = dir.path() / "plain"};
  EXPECT_FALSE(explain(*net, in, without).concept_maps.defined());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "plain" / "dff_concepts.png"));
}

// A segmenter explained over given regions, one per image: with Score-CAM, which scores chunks
// of mixed masked copies, each image's maps must be those of a direct call with its own region.
TEST(ExplainTargets, SegmenterRegionsStayWithTheirImages) {
  Generator gen(3);
  Segmenter net(1, 3, gen);  // 2 classes + background, [N, 3, 16, 16] logits
  net.eval();
  ExplainInputs in;
  in.images = ops::rand({3, 1, 16, 16}, gen);                                 // [3, 1, 16, 16]
  in.labels = Tensor::from_vector<int64_t>({1, 2, 1}, {3});                   // [3]
  in.indices = Tensor::from_vector<int64_t>({0, 1, 2}, {3});                  // [3]
  in.regions = ops::gt(ops::rand({3, 16, 16}, gen), 0.5).to(DType::Float32);  // [3, 16, 16]
  const ExplainRequest request{
      .methods = {"scorecam", "gradcam"}, .layer = "fuse_bn", .targets = {"label"}};
  const ExplainResult result = compute_explanations(net, in, request);
  for (const std::string method : {"scorecam", "gradcam"}) {
    const Tensor maps = result.file.maps.at(method);  // [3, 16, 16]
    ASSERT_EQ(maps.shape(), (Shape{3, 16, 16})) << method;
    for (int64_t i = 0; i < 3; ++i) {
      const cam::Explanation direct =
          cam::make_method(method, net,
                           {.common = {.layers = {"fuse_bn"}, .image_shape = {1, 16, 16}}})
              ->explain(in.images.narrow(0, i, 1),
                        cam::Target::labels(in.labels.narrow(0, i, 1))
                            .with_score(cam::segmentation_score(in.regions.narrow(0, i, 1))));
      EXPECT_TRUE(cam::test::all_close(values(maps.narrow(0, i, 1).contiguous()),
                                       {direct.maps.shape(), values(direct.maps)}, 0, 1e-5))
          << method << " image " << i;
    }
  }
  EXPECT_EQ(values(result.file.classes.at("scorecam")), (std::vector<double>{1, 2, 1}));
  EXPECT_EQ(result.top.size(), 3u);
}

}  // namespace
}  // namespace camlab::experiments
