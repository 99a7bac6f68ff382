// The sanity checks end to end on a tiny GAP net trained for a few epochs on generated shapes:
// layer discovery and reproducible re-initialisation, the CSV rows and figures, the trained net's
// self-similarity of 1 against the lower rank correlation of a fully randomized net, weights
// restored afterwards, one-line errors, and data.permute_labels.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "autograd/grad_mode.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/shapes.h"
#include "experiments/cli/command.h"
#include "experiments/config/config.h"
#include "experiments/run/metrics_json.h"
#include "experiments/sanity/layer_randomization.h"
#include "experiments/sanity/run_sanity.h"
#include "experiments/train/experiment_data.h"
#include "experiments/train/trained_model.h"
#include "experiments/train/trainer.h"
#include "tensor/ops.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

constexpr const char* kTinyConfig = R"(
[experiment]
name = "sanity-tiny"
seed = 0
device = "cpu"

[data]
dataset = "hdf5"
batch_size = 16

[model]
layers = [
  { type = "conv", out = 8, kernel = 3, pad = 1, name = "conv1" },
  { type = "relu" },
  { type = "maxpool", kernel = 2 },
  { type = "conv", out = 16, kernel = 3, pad = 1, name = "conv2" },
  { type = "relu" },
  { type = "gap" },
  { type = "linear", out = 4, name = "fc" },
]
cam_layer = "relu2"

[train]
epochs = 6
optimizer = { type = "adam", lr = 0.01 }
)";

// Noise-free shapes (circle, square, triangle, cross), which the tiny net learns in a few epochs.
void write_shapes(const std::filesystem::path& dir) {
  datasets::write_hdf5_dataset(
      (dir / "train.h5").string(),
      datasets::make_shapes({.n = 384, .size = 16, .seed = 1, .noise = 0}));
  datasets::write_hdf5_dataset((dir / "test.h5").string(),
                               datasets::make_shapes({.n = 32, .size = 16, .seed = 2, .noise = 0}));
}

Config config(const std::filesystem::path& dir, std::vector<std::string> overrides) {
  overrides.push_back("data.path=\"" + (dir / "{split}.h5").string() + "\"");
  return parse_config(kTinyConfig, "sanity-tiny.toml", overrides);
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class SanityEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    write_shapes(dir_->path());
    train_experiment(config(dir_->path(), {}), {.out = dir_->path() / "run", .progress = 0});
    trained_accuracy_ = read_json(dir_->path() / "run" / "metrics.json")["test_accuracy"];
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::filesystem::path path(const std::string& name) { return dir_->path() / name; }
  static TrainedModel load() { return load_trained_model(path("run"), {}, "", "cpu"); }

  static test::TempDir* dir_;
  static double trained_accuracy_;
};

test::TempDir* SanityEndToEnd::dir_ = nullptr;
double SanityEndToEnd::trained_accuracy_ = 0;

Tensor logits_of(const TrainedModel& t) {
  autograd::NoGradGuard no_grad;
  Generator gen(9);
  return (*t.model)(ops::rand({2, 1, 16, 16}, gen));  // [2, 4]
}

TEST_F(SanityEndToEnd, FindsLayersAndReinitialisesReproducibly) {
  EXPECT_GT(trained_accuracy_, 0.5) << "the tiny net should have learned something (chance 0.25)";
  const TrainedModel t = load();
  autograd::NoGradGuard no_grad;  // plain arithmetic on the weights
  const std::vector<ParametrisedLayer> layers = parametrised_layers(*t.model);
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].name, "conv1");
  EXPECT_EQ(layers[1].name, "conv2");
  EXPECT_EQ(layers[2].name, "fc");
  EXPECT_EQ(layers[2].type, "Linear");

  const Tensor trained_fc = t.model->state_dict().at("fc.weight").clone();
  const Tensor trained_conv1 = t.model->state_dict().at("conv1.weight").clone();
  randomize_layer(*t.model, layers[2], 5);
  const Tensor first = t.model->state_dict().at("fc.weight").clone();
  randomize_layer(*t.model, layers[2], 5);
  const Tensor again = t.model->state_dict().at("fc.weight");
  EXPECT_EQ(ops::amax(ops::abs(ops::sub(first, again))).item(), 0.0);  // same seed, same weights
  EXPECT_GT(ops::amax(ops::abs(ops::sub(first, trained_fc))).item(), 0.0);
  EXPECT_EQ(
      ops::amax(ops::abs(ops::sub(t.model->state_dict().at("conv1.weight"), trained_conv1))).item(),
      0.0);  // other layers untouched
  // PyTorch's default bound for a Linear(16, 4): 1/√16.
  EXPECT_LE(ops::amax(ops::abs(first)).item(), 0.25);

  const std::vector<RandomizationStep> cascade = cascading_steps(layers);
  ASSERT_EQ(cascade.size(), 3u);
  EXPECT_EQ(cascade[0].layer, "fc");
  EXPECT_EQ(cascade[2].layer, "conv1");
  EXPECT_EQ(cascade[2].randomized.size(), 3u);  // cumulative: the whole net at the end
  EXPECT_EQ(independent_steps(layers)[1].randomized.size(), 1u);
}

TEST_F(SanityEndToEnd, RandomizedNetsLoseRankCorrelationAndTheCsvHasEveryRow) {
  const TrainedModel t = load();
  const TrainedModel same = load();  // the trained net against itself: self-similarity
  const Tensor before = logits_of(t);
  const SanityResult r =
      run_sanity(t, {.methods = "gradcam,saliency", .images = 8, .out = path("sanity")}, &same);

  const std::vector<std::string> methods = {"gradcam", "saliency"};
  const std::vector<std::string> layers = {"fc", "conv2", "conv1"};
  const std::vector<std::string> lines = lines_of(path("sanity") / "sanity.csv");
  ASSERT_EQ(lines.size(), 1u + 2 * 3 * 2 + 2);
  EXPECT_EQ(lines[0], "randomization,layer,method,spearman,spearman_abs,ssim,hog");
  size_t k = 1;
  for (const char* schedule : {"cascading", "independent"}) {
    for (const std::string& layer : layers) {
      for (const std::string& method : methods) {
        EXPECT_TRUE(lines[k++].starts_with(fmt::format("{},{},{},", schedule, layer, method)))
            << lines[k - 1];
      }
    }
  }
  EXPECT_TRUE(lines[k].starts_with("labels,run,gradcam,")) << lines[k];

  for (const SimilarityRow& row : r.rows) {
    if (row.randomization == "labels") {  // the same weights: identical maps
      EXPECT_NEAR(row.spearman, 1.0, 1e-9) << row.method;
      EXPECT_NEAR(row.spearman_abs, 1.0, 1e-9) << row.method;
      EXPECT_NEAR(row.ssim, 1.0, 1e-9) << row.method;
      EXPECT_NEAR(row.hog, 1.0, 1e-9) << row.method;
    } else if (row.randomization == "cascading" && row.layer == "conv1") {  // fully randomized
      EXPECT_LT(row.spearman_abs, 0.9) << row.method;
      EXPECT_LT(row.ssim, 0.9) << row.method;
    }
    for (double v : {row.spearman, row.spearman_abs, row.ssim, row.hog}) {
      EXPECT_GE(v, -1.0);
      EXPECT_LE(v, 1.0 + 1e-12);
    }
  }
  for (const char* file : {"cascading.png", "independent.png", "labels.png", "sanity.md"}) {
    EXPECT_TRUE(std::filesystem::exists(path("sanity") / file)) << file;
  }
  // The trained weights are back: the same logits as before the checks.
  EXPECT_EQ(ops::amax(ops::abs(ops::sub(before, logits_of(t)))).item(), 0.0);
}

TEST_F(SanityEndToEnd, BadMethodLayerOrScheduleIsOneLineBeforeAnyOutput) {
  auto cli_error = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {path("run").string(), "--images", "2", "--out",
                                     path("bad").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string message = error_of([&] { cli::sanity_main(args); });
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  };
  const std::string method = cli_error({"--methods", "gradcam,gradkam"});
  EXPECT_NE(method.find("unknown method 'gradkam'"), std::string::npos) << method;
  EXPECT_NE(method.find("scorecam"), std::string::npos) << method;  // the valid names
  const std::string layer = cli_error({"--methods", "gradcam", "--layers", "fc,conv9"});
  EXPECT_NE(layer.find("'conv9'"), std::string::npos) << layer;
  EXPECT_NE(layer.find("valid: conv1, conv2, fc"), std::string::npos) << layer;
  const std::string target = cli_error({"--methods", "gradcam", "--cam-layer", "relu9"});
  EXPECT_NE(target.find("relu9"), std::string::npos) << target;
  const std::string schedule = cli_error({"--methods", "gradcam", "--schedules", "cascade"});
  EXPECT_NE(schedule.find("valid: cascading, independent"), std::string::npos) << schedule;
  EXPECT_FALSE(std::filesystem::exists(path("bad")));
}

TEST(PermuteLabels, ShufflesTrainingLabelsOnlyWithTheSeed) {
  const test::TempDir dir;
  write_shapes(dir.path());
  auto data = [&](bool permute, int seed) {
    return load_experiment_data(config(dir.path(), {fmt::format("data.permute_labels={}", permute),
                                                    fmt::format("experiment.seed={}", seed)}));
  };
  const ExperimentData plain = data(false, 0), permuted = data(true, 0), other = data(true, 1);
  const Tensor a = plain.train.labels, b = permuted.train.labels;  // int64 [N]
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_EQ(ops::amax(ops::abs(ops::sub(plain.train.images.to(DType::Float32),
                                        permuted.train.images.to(DType::Float32))))
                .item(),
            0.0);  // images keep their order
  std::multiset<int64_t> la, lb;
  int64_t moved = 0;
  for (int64_t i = 0; i < a.size(0); ++i) {
    la.insert(a.at<int64_t>({i}));
    lb.insert(b.at<int64_t>({i}));
    moved += a.at<int64_t>({i}) != b.at<int64_t>({i});
  }
  EXPECT_EQ(la, lb);          // the same labels, reassigned
  EXPECT_GT(moved, 384 / 2);  // 3/4 expected to move with 4 balanced classes
  EXPECT_EQ(ops::amax(ops::abs(ops::sub(plain.test.labels, permuted.test.labels))).item(), 0);
  // Seeded: another seed gives another permutation.
  EXPECT_GT(ops::amax(ops::abs(ops::sub(b, other.train.labels))).item(), 0);
}

}  // namespace
}  // namespace camlab::experiments
