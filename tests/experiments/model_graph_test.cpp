// The graph form of [model] (layers that name their inputs, merges, bottleneck): a branchy net
// with an Inception-style concat, a squeeze-and-excitation gate, a DenseNet block and a
// bottleneck builds as written, trains on the synthetic shapes, explains with CAM = Grad-CAM, and
// every misuse is a one-line error pointing into the TOML.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "cam/methods/method.h"
#include "experiments/config/config.h"
#include "experiments/config/config_error.h"
#include "experiments/model/model_builder.h"
#include "experiments/train/trained_model.h"
#include "experiments/train/trainer.h"
#include "nn/merge.h"
#include "tensor/ops.h"
#include "tests/experiments/temp_dir.h"
#include "tests/support/values.h"

namespace camlab::experiments {
namespace {

// 16x16 grey shapes, 4 classes. Shapes per image in the comments.
const char* kGraphNet = R"([experiment]
name = "graph-net"
seed = 0
device = "cpu"
threads = 1

[data]
dataset = "synthetic-shapes"
image_size = 16
train_count = 1024
test_count = 128
batch_size = 32

[model]
layers = [
  { type = "conv", out = 8, kernel = 3, pad = 1, name = "stem" },
  { type = "relu", name = "stem_relu" },
  { type = "maxpool", kernel = 2, name = "pool" },                                # [8, 8, 8]
  { type = "conv", out = 8, kernel = 1, name = "b1", inputs = ["pool"] },
  { type = "conv", out = 8, kernel = 3, pad = 1, name = "b3", inputs = ["pool"] },
  { type = "concat", name = "mixed", inputs = ["b1", "b3"] },                     # [16, 8, 8]
  { type = "relu", name = "mixed_relu" },
  { type = "gap", name = "squeeze" },                                             # [16]
  { type = "linear", out = 4, name = "excite1" },
  { type = "relu", name = "excite_relu" },
  { type = "linear", out = 16, name = "excite2" },
  { type = "sigmoid", name = "gate" },
  { type = "mul", name = "se", inputs = ["mixed_relu", "gate"] },                 # [16, 8, 8]
  { type = "conv", out = 8, kernel = 3, pad = 1, name = "dense1" },
  { type = "relu", name = "dense1_relu" },
  { type = "concat", name = "dense_cat1", inputs = ["se", "dense1_relu"] },       # [24, 8, 8]
  { type = "conv", out = 8, kernel = 3, pad = 1, name = "dense2" },
  { type = "relu", name = "dense2_relu" },
  { type = "concat", name = "dense_cat2", inputs = ["dense_cat1", "dense2_relu"] },  # [32, 8, 8]
  { type = "bottleneck", out = 32, mid = 8, name = "bottleneck" },
  { type = "gap", name = "gap" },
  { type = "linear", out = 4, name = "fc" },
]
cam_layer = "bottleneck"

[train]
epochs = 6
optimizer = { type = "adam", lr = 0.01 }
# Annealed, so that the bottleneck's BatchNorm running statistics catch up with the weights.
schedule = { type = "cosine" }
log_every = 100
)";

std::shared_ptr<nn::Sequential> build(const Config& cfg) {
  Generator gen(0);
  return build_model(cfg.layers(), cfg.blocks(), {1, 16, 16}, gen);
}

TEST(ModelGraph, BuildsTheBranchesAsWritten) {
  auto model = build(parse_config(kGraphNet, "graph.toml"));
  const std::vector<std::string> children = [&] {
    std::vector<std::string> names;
    for (const auto& [name, child] : model->named_children()) names.push_back(name);
    return names;
  }();
  auto inputs_of = [&](const std::string& name) {
    const size_t index =
        static_cast<size_t>(std::find(children.begin(), children.end(), name) - children.begin());
    return model->inputs_of(index);
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(inputs_of("stem"), (Names{"input"}));
  EXPECT_EQ(inputs_of("b3"), (Names{"pool"}));
  EXPECT_EQ(inputs_of("mixed"), (Names{"b1", "b3"}));
  EXPECT_EQ(inputs_of("se"), (Names{"mixed_relu", "gate"}));
  EXPECT_EQ(inputs_of("dense1"), (Names{"se"}));
  EXPECT_EQ(model->find_as<nn::Merge>("dense_cat2").kind(), nn::MergeKind::Concat);
  EXPECT_EQ(model->find("bottleneck").type_name(), "Bottleneck");
  EXPECT_TRUE(model->state_dict().contains("bottleneck.conv3.weight"));
  EXPECT_FALSE(model->state_dict().contains("bottleneck.downsample.0.weight"))
      << "32 channels in and out, stride 1: the identity shortcut";

  Shape mixed, dense;
  nn::ScopedForwardHook h1 = model->find("mixed").register_forward_hook(
      [&](nn::Module&, const Tensor&, const Tensor& y) { mixed = y.shape(); });
  nn::ScopedForwardHook h2 =
      model->find("dense_cat2")
          .register_forward_hook(
              [&](nn::Module&, const Tensor&, const Tensor& y) { dense = y.shape(); });
  Generator gen(1);
  EXPECT_EQ((*model)(ops::randn({2, 1, 16, 16}, gen)).shape(), (Shape{2, 4}));
  EXPECT_EQ(mixed, (Shape{2, 16, 8, 8}));
  EXPECT_EQ(dense, (Shape{2, 32, 8, 8}));
}

TEST(ModelGraph, BottleneckStridesAndProjects) {
  const Config cfg = parse_config(R"([model]
layers = [
  {type = "conv", out = 8, pad = 1},
  {type = "bottleneck", out = 16, stride = 2, name = "down"},
  {type = "gap"},
  {type = "linear", out = 2},
]
)",
                                  "graph.toml");
  auto model = build(cfg);
  EXPECT_EQ(model->find("down.conv1").state_dict().at("weight").shape(), (Shape{4, 8, 1, 1}))
      << "mid defaults to out / 4";
  EXPECT_EQ(model->find("down.downsample.0").state_dict().at("weight").shape(),
            (Shape{16, 8, 1, 1}));
  Shape out;
  nn::ScopedForwardHook hook = model->find("down").register_forward_hook(
      [&](nn::Module&, const Tensor&, const Tensor& y) { out = y.shape(); });
  (*model)(ops::zeros({1, 1, 16, 16}));
  EXPECT_EQ(out, (Shape{1, 16, 8, 8}));
}

TEST(ModelGraph, TrainsAndExplainsWithCamEqualToGradCam) {
  test::TempDir dir;
  const Config cfg = parse_config(kGraphNet, "graph.toml");
  const TrainResult r = train_experiment(cfg, {.out = dir.path() / "run", .progress = 0});
  EXPECT_EQ(r.epochs, 6);
  // Seeds 0-3 end at 87-92%.
  EXPECT_GT(r.test_accuracy, 0.75) << "4 balanced classes: chance is 0.25";

  // Back from the checkpoint: the graph's wiring comes from the saved config.
  TrainedModel t = load_trained_model(dir.path() / "run", {}, "", "cpu");
  t.test_loader->start_epoch(0);
  const datasets::Batch batch = *t.test_loader->next();
  const Tensor images = batch.images.narrow(0, 0, 8);  // [8, 1, 16, 16]
  const cam::Target target = cam::Target::labels(batch.labels.narrow(0, 0, 8));
  // Through GAP then fc, ∂y_c/∂A^k_ij = W_fc[c, k] / (h·w), so Grad-CAM's map is CAM's divided by
  // h·w (Selvaraju et al. 2017, sec. 3.1), and the min-max display maps are equal.
  const cam::MethodSettings at_cam_layer{
      .common = {.layers = {t.config.get_string("model.cam_layer")}}};
  const cam::Explanation cam =
      cam::make_method("cam", *t.model, at_cam_layer)->explain(images, target);
  const cam::Explanation gradcam =
      cam::make_method("gradcam", *t.model, at_cam_layer)->explain(images, target);
  EXPECT_EQ(cam.layer, "bottleneck");
  ASSERT_EQ(cam.raw.shape(), (Shape{8, 8, 8}));
  const std::vector<double> cam_raw = camlab::test::values(cam.raw);
  const std::vector<double> gradcam_raw = camlab::test::values(gradcam.raw);
  const std::vector<double> cam_maps = camlab::test::values(cam.maps);
  const std::vector<double> gradcam_maps = camlab::test::values(gradcam.maps);
  double raw_error = 0, map_error = 0, largest = 0;
  for (size_t i = 0; i < cam_raw.size(); ++i) {
    raw_error = std::max(raw_error, std::abs(gradcam_raw[i] * 64 - cam_raw[i]));
    largest = std::max(largest, std::abs(cam_raw[i]));
  }
  for (size_t i = 0; i < cam_maps.size(); ++i) {
    map_error = std::max(map_error, std::abs(gradcam_maps[i] - cam_maps[i]));
  }
  EXPECT_GT(largest, 0.0);
  EXPECT_LT(raw_error, 1e-4 * std::max(1.0, largest));
  EXPECT_LT(map_error, 1e-4);
}

// The error that parsing (then building) a model of these layers gives; the layers start on line 3.
std::string error_of(const std::string& layers) {
  const std::string text = "[model]\nlayers = [\n" + layers +
                           "  {type = \"gap\"},\n  {type = \"linear\", out = 2},\n]\n";
  try {
    build(parse_config(text, "graph.toml"));
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
    return message;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

const std::string kTwoConvs =
    "  {type = \"conv\", out = 8, pad = 1, name = \"branch1\"},\n"
    "  {type = \"conv\", out = 8, kernel = 1, name = \"branch3\", inputs = [\"input\"]},\n";

// Errors about `inputs` point at its value, the '[' (column 27 for an add).
TEST(ModelGraph, AnUnknownInputSuggestsTheNearestName) {
  EXPECT_EQ(error_of(kTwoConvs + "  {type = \"add\", inputs = [\"branch1\", \"branch33\"]},\n"),
            "graph.toml:5:27: 'model.layers[2]' reads 'branch33', which names no earlier layer — "
            "did you mean 'branch3'?");
}

TEST(ModelGraph, ALaterInputIsRefused) {
  EXPECT_EQ(error_of("  {type = \"relu\", inputs = [\"later\"]},\n"
                     "  {type = \"relu\", name = \"later\"},\n"),
            "graph.toml:3:28: 'model.layers[0]' reads 'later', which comes after it — a layer "
            "reads \"input\" (the model's input) or a layer above it");
}

TEST(ModelGraph, AMergeNeedsTwoInputs) {
  EXPECT_EQ(error_of(kTwoConvs + "  {type = \"concat\", inputs = [\"branch1\"]},\n"),
            "graph.toml:5:30: 'model.layers[2]' (concat) merges 1 input — add, concat and mul "
            "need at least 2 in 'inputs', e.g. inputs = [\"branch1\", \"branch3\"]");
  EXPECT_EQ(error_of(kTwoConvs + "  {type = \"mul\"},\n"),
            "graph.toml:5:3: 'model.layers[2]' (mul) merges 0 inputs — add, concat and mul need "
            "at least 2 in 'inputs', e.g. inputs = [\"branch1\", \"branch3\"]");
}

TEST(ModelGraph, OnlyMergesReadSeveralInputs) {
  EXPECT_EQ(error_of(kTwoConvs + "  {type = \"relu\", inputs = [\"branch1\", \"branch3\"]},\n"),
            "graph.toml:5:28: 'model.layers[2]' (relu) reads 2 inputs ('branch1', 'branch3') — "
            "only add, concat and mul take several; merge them in a layer before it");
}

TEST(ModelGraph, RepeatAndInputsDoNotMix) {
  EXPECT_EQ(error_of(kTwoConvs + "  {type = \"relu\", repeat = 2, inputs = [\"branch1\"]},\n"),
            "graph.toml:5:40: 'model.layers[2]' sets both 'repeat' (2) and 'inputs' — a "
            "repeated layer's copies read each other; write the copies out, or drop 'inputs'");
}

TEST(ModelGraph, MergeShapeErrorsNameBothInputs) {
  const std::string message = error_of(
      "  {type = \"conv\", out = 8, pad = 1, name = \"full\"},\n"
      "  {type = \"conv\", out = 4, stride = 2, name = \"half\", inputs = [\"input\"]},\n"
      "  {type = \"concat\", name = \"cat\", inputs = [\"full\", \"half\"]},\n");
  EXPECT_TRUE(
      message.starts_with("graph.toml:5:3: layer 'cat' (concat) cannot concat 'full' [8, "
                          "16, 16] and 'half' [4, 7, 7] — concat joins along channels"))
      << message;
  const std::string gate = error_of(
      "  {type = \"conv\", out = 8, pad = 1, name = \"map\"},\n"
      "  {type = \"gap\"},\n  {type = \"linear\", out = 3, name = \"gate\"},\n"
      "  {type = \"mul\", name = \"se\", inputs = [\"map\", \"gate\"]},\n");
  EXPECT_TRUE(
      gate.starts_with("graph.toml:6:3: layer 'se' (mul) cannot mul 'map' [8, 16, 16] "
                       "and 'gate' [3] — mul needs equal shapes, or an [N, C] gate"))
      << gate;
}

TEST(ModelGraph, TheSequentialFormIsUnchanged) {
  // No `inputs`, no `inputs = []` in the resolved config: the sequential form reads as before.
  const Config cfg = parse_config(R"([model]
layers = [{type = "conv", out = 4, name = "c"}, {type = "gap"}, {type = "linear", out = 2}]
)",
                                  "plain.toml");
  EXPECT_EQ(cfg.to_toml().find("inputs"), std::string::npos);
  auto model = build(cfg);
  for (size_t i = 1; i < model->size(); ++i) {
    EXPECT_EQ(model->inputs_of(i).size(), 1u);
  }
  EXPECT_EQ(model->inputs_of(1), (std::vector<std::string>{"c"}));
}

}  // namespace
}  // namespace camlab::experiments
