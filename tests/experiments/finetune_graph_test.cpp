// Fine-tuning an imported graph from a config: [model] graph = FILE with a fresh head for the
// data's classes and frozen modules. The frozen convolution ends where it began, the new head is
// trained, the run loads back with the same logits, and the config's errors are one line.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "autograd/grad_mode.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/shapes.h"
#include "experiments/config/config.h"
#include "experiments/train/trained_model.h"
#include "experiments/train/trainer.h"
#include "nn/graph/graph_checkpoint.h"
#include "nn/init.h"
#include "tensor/ops.h"
#include "tests/experiments/temp_dir.h"
#include "tests/support/values.h"

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;

nn::NodeDef node(const std::string& scope, const std::string& op, std::vector<std::string> inputs,
                 std::map<std::string, nn::Attribute> attributes = {}) {
  return nn::NodeDef{scope + "/" + op,
                     op,
                     std::move(inputs),
                     {scope + "/" + op + "_output_0"},
                     std::move(attributes)};
}

// A torch.onnx-shaped copy of tiny-synthetic's net, PyTorch-initialised, with symbolic sides:
// input [N, 1, H, W] -> features.0 Conv 8 -> Relu -> MaxPool 2 -> features.3 Conv 16 -> Relu ->
// GlobalAveragePool -> Flatten -> fc Gemm -> logits [N, 3] (a head for another task).
fs::path write_graph(const test::TempDir& dir) {
  Generator gen(3);
  nn::GraphDef def;
  def.opset = 13;
  def.inputs = {{"input", {-1, 1, -1, -1}}};
  def.outputs = {"logits"};
  auto add_layer = [&](const std::string& name, const Shape& weight_shape) {
    Tensor weight = ops::zeros(weight_shape);
    Tensor bias = ops::zeros({weight_shape[0]});
    nn::init::reset_conv_or_linear(weight, bias, gen);
    def.weights.push_back({name + ".weight", weight, true});
    def.weights.push_back({name + ".bias", bias, true});
  };
  add_layer("features.0", {8, 1, 3, 3});
  add_layer("features.3", {16, 8, 3, 3});
  add_layer("fc", {3, 16});
  const std::map<std::string, nn::Attribute> conv = {{"pads", nn::Attribute::ints({1, 1, 1, 1})},
                                                     {"kernel_shape", nn::Attribute::ints({3, 3})}};
  def.nodes = {
      node("/features/features.0", "Conv", {"input", "features.0.weight", "features.0.bias"}, conv),
      node("/features/features.1", "Relu", {"/features/features.0/Conv_output_0"}),
      node("/features/features.2", "MaxPool", {"/features/features.1/Relu_output_0"},
           {{"kernel_shape", nn::Attribute::ints({2, 2})},
            {"strides", nn::Attribute::ints({2, 2})}}),
      node("/features/features.3", "Conv",
           {"/features/features.2/MaxPool_output_0", "features.3.weight", "features.3.bias"}, conv),
      node("/features/features.4", "Relu", {"/features/features.3/Conv_output_0"}),
      node("/pool", "GlobalAveragePool", {"/features/features.4/Relu_output_0"}),
      node("", "Flatten", {"/pool/GlobalAveragePool_output_0"}),
      nn::NodeDef{"/fc/Gemm",
                  "Gemm",
                  {"/Flatten_output_0", "fc.weight", "fc.bias"},
                  {"logits"},
                  {{"transB", nn::Attribute::integer(1)}}}};
  const fs::path path = dir.path() / "tiny.h5";
  nn::save_graph_checkpoint(path, nn::Graph(std::move(def)));
  return path;
}

// Noise-free grey shapes (circle, square, triangle, cross) as train.h5 and test.h5 beside the
// graph, which a net of this size learns in a few epochs.
void write_shapes(const test::TempDir& dir) {
  datasets::write_hdf5_dataset(
      (dir.path() / "train.h5").string(),
      datasets::make_shapes({.n = 384, .size = 16, .seed = 1, .noise = 0}));
  datasets::write_hdf5_dataset((dir.path() / "test.h5").string(),
                               datasets::make_shapes({.n = 64, .size = 16, .seed = 2, .noise = 0}));
}

std::string finetune_toml(const fs::path& graph, const std::string& model_extra) {
  const fs::path data = graph.parent_path() / "{split}.h5";
  return "[experiment]\nname = \"finetune\"\nthreads = 1\n"
         "[data]\ndataset = \"hdf5\"\npath = \"" +
         data.string() + "\"\nbatch_size = 16\n[model]\ngraph = \"" + graph.string() + "\"\n" +
         model_extra + "[train]\nepochs = 6\noptimizer = { type = \"adam\", lr = 0.01 }\n";
}

// The fraction of the test set the loaded run classifies right.
double accuracy_of(const TrainedModel& t) {
  autograd::NoGradGuard no_grad;
  int64_t correct = 0;
  for (int64_t b = 0; b < t.test_loader->num_batches(); ++b) {
    const datasets::Batch batch = t.test_loader->batch(0, b);
    const Tensor predicted = ops::argmax((*t.model)(batch.images), 1);  // [B]
    correct += static_cast<int64_t>(ops::sum(ops::eq(predicted, batch.labels)).item());
  }
  return static_cast<double>(correct) / static_cast<double>(t.data.test.size());
}

TEST(FinetuneGraph, NewHeadTrainsAndTheRunLoadsBackWithItsAccuracy) {
  test::TempDir dir;
  const fs::path graph_file = write_graph(dir);
  write_shapes(dir);
  const Config cfg = parse_config(finetune_toml(graph_file, "head_classes = 4\n"), "ft.toml");
  const TrainResult r = train_experiment(cfg, {.out = dir.path() / "run", .progress = 0});
  EXPECT_GT(r.test_accuracy, 0.5);  // four shapes (chance: 0.25)

  const TrainedModel t = load_trained_model(dir.path() / "run", {}, "", "cpu");
  const auto* tuned = dynamic_cast<const nn::Graph*>(t.model.get());
  ASSERT_NE(tuned, nullptr);
  EXPECT_EQ(tuned->weight("fc.weight").shape(), (Shape{4, 16}));  // [classes, features]
  EXPECT_NEAR(accuracy_of(t), r.test_accuracy, 1e-9);  // the checkpoint holds what was trained
}

TEST(FinetuneGraph, FrozenModulesKeepTheirWeightsAndTheRestTrains) {
  test::TempDir dir;
  const fs::path graph_file = write_graph(dir);
  write_shapes(dir);
  const Config cfg = parse_config(
      finetune_toml(graph_file, "head_classes = 4\nfreeze = [\"features.0\"]\n"), "ft.toml");
  train_experiment(cfg, {.out = dir.path() / "run", .progress = 0});

  const auto original = nn::load_graph_checkpoint(graph_file);
  const TrainedModel t = load_trained_model(dir.path() / "run", {}, "", "cpu");
  const auto* tuned = dynamic_cast<const nn::Graph*>(t.model.get());
  ASSERT_NE(tuned, nullptr);
  for (const char* frozen : {"features.0.weight", "features.0.bias"}) {
    EXPECT_EQ(test::values(tuned->weight(frozen)), test::values(original->weight(frozen)))
        << frozen;
  }
  for (const char* trained : {"features.3.weight", "features.3.bias"}) {
    EXPECT_NE(test::values(tuned->weight(trained)), test::values(original->weight(trained)))
        << trained;
  }
}

TEST(FinetuneGraph, ConfigErrorsNameTheKey) {
  test::TempDir dir;
  const fs::path graph_file = write_graph(dir);
  write_shapes(dir);
  auto message_of = [&](const std::string& toml) -> std::string {
    try {
      const Config cfg = parse_config(toml, "finetune.toml");
      train_experiment(cfg, {.out = dir.path() / "bad", .force = true, .progress = 0});
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message_of(finetune_toml(graph_file, "layers = [{type = \"gap\"}]\n"))
                .find("has both 'graph' and 'layers'"),
            std::string::npos);
  const std::string bad_freeze = message_of(finetune_toml(graph_file, "freeze = [\"featurs\"]\n"));
  EXPECT_NE(bad_freeze.find("model.freeze: no trainable weight inside module 'featurs'"),
            std::string::npos)
      << bad_freeze;
  EXPECT_NE(bad_freeze.find("features"), std::string::npos) << bad_freeze;  // the nearest path
  EXPECT_NE(message_of(finetune_toml(dir.path() / "missing.onnx", "")).find("missing.onnx"),
            std::string::npos);
  const std::string no_graph = message_of(
      "[data]\ndataset = \"synthetic-shapes\"\n[model]\nlayers = [{type = \"gap\"}]\n"
      "head_classes = 4\n");
  EXPECT_NE(no_graph.find("set model.graph"), std::string::npos) << no_graph;
}

}  // namespace
}  // namespace camlab::experiments
