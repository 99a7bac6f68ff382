// `camlab sweep` over explain.* and localize.* keys: every point localizes one trained run's
// checkpoint with its values (nothing trains), results.csv gets each point's localization metrics,
// a rerun skips the points scored earlier, and keys that change the model cannot use --run.
#include "experiments/sweep/evaluation_sweep.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "datasets/composite.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/shapes.h"
#include "experiments/cli/command.h"
#include "experiments/config/config.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/sweep/results_files.h"
#include "experiments/sweep/sweep_plan.h"
#include "experiments/sweep/sweep_results.h"
#include "experiments/sweep/sweep_runner.h"
#include "experiments/train/trainer.h"
#include "tests/datasets/temp_dir.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;

// A GAP net on 32x32 composite canvases with boxes; one epoch trains it in about a second.
constexpr const char* kTinyRun = R"(
[experiment]
name = "eval-sweep-tiny"
device = "cpu"
[data]
dataset = "composite"
batch_size = 32
[model]
layers = [
  { type = "conv", out = 8, kernel = 3, pad = 1, name = "conv1" }, { type = "relu" },
  { type = "maxpool", kernel = 2 },
  { type = "conv", out = 16, kernel = 3, pad = 1, name = "conv2" }, { type = "relu" },
  { type = "gap" }, { type = "linear", out = 4, name = "fc" },
]
cam_layer = "relu2"
[train]
epochs = 1
optimizer = { type = "adam", lr = 0.01 }
[localize]
methods = ["fasterscorecam"]
count = 8
)";

// Faster Score-CAM's channel count (a method option) against the box threshold (a localize key).
constexpr const char* kEvaluationSweep = R"(
[sweep]
"explain.fasterscorecam.top_k" = [1, 16]
"localize.thresholds" = [[0.1], [0.7]]
)";

using datasets::test::expect_error;  // one line, with each fragment

class EvaluationSweep : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    const datasets::ImageDataset base =
        datasets::make_shapes({.n = 100, .size = 16, .seed = 1, .noise = 0});
    for (const auto& [split, n] : {std::pair{"train", 96}, std::pair{"test", 16}}) {
      datasets::write_hdf5_dataset(
          (dir_->path() / (std::string(split) + ".h5")).string(),
          datasets::make_composite(base, {.n = n, .canvas = 32, .objects = 1, .seed = 2}));
    }
    // The run's [data] reads these files: path = ".../{split}.h5" next to batch_size.
    config_ = new std::string(kTinyRun);
    config_->insert(config_->find("batch_size = 32"),
                    "path = \"" + (dir_->path() / "{split}.h5").string() + "\"\n");
    train_experiment(parse_config(*config_, "tiny.toml"),
                     {.out = dir_->path() / "run", .progress = 0});
    test::write_file(dir_->path() / "sweep.toml", *config_ + kEvaluationSweep);
  }
  static void TearDownTestSuite() {
    delete config_;
    delete dir_;
  }
  static fs::path path(const std::string& name) { return dir_->path() / name; }

  static test::TempDir* dir_;
  static std::string* config_;
};

test::TempDir* EvaluationSweep::dir_ = nullptr;
std::string* EvaluationSweep::config_ = nullptr;

TEST_F(EvaluationSweep, EachPointLocalizesTheTrainedRunWithoutTraining) {
  const std::string run_info = read_text(path("run") / "run_info.json");
  const auto checkpoint_time = fs::last_write_time(path("run") / "checkpoint.h5");

  const SweepPlan plan = plan_sweep(path("sweep.toml").string(), {}, path("sweep"), path("run"));
  EXPECT_EQ(plan.run, path("run"));
  ASSERT_EQ(plan.runs.size(), 4u);
  write_sweep_record(plan);
  EXPECT_EQ(read_sweep_record(path("sweep")).run, path("run"));
  for (const RunStatus& s : run_sweep(plan, {.out = nullptr})) {
    EXPECT_EQ(s.outcome, RunOutcome::Evaluated) << s.label << ": " << s.message;
  }

  // Nothing trained: no point holds a checkpoint or training metrics, the run is untouched.
  for (const PlannedRun& point : plan.runs) {
    EXPECT_FALSE(fs::exists(point.dir / "checkpoint.h5")) << point.label;
    EXPECT_FALSE(fs::exists(point.dir / "metrics.json")) << point.label;
    EXPECT_TRUE(fs::exists(point.dir / "localize" / "localize.png")) << point.label;
  }
  EXPECT_EQ(read_text(path("run") / "run_info.json"), run_info);
  EXPECT_EQ(fs::last_write_time(path("run") / "checkpoint.h5"), checkpoint_time);

  // One row per point with its localization numbers, ranked by GT-known Loc.
  const std::string gt_known = "localize.methods.fasterscorecam.gt_known_loc";
  const std::string iou = "localize.methods.fasterscorecam.mean_iou";
  const SweepResults results = collect_results(path("sweep"));
  EXPECT_EQ(results.rank_metric, gt_known);
  ASSERT_EQ(results.runs.size(), 4u);
  std::map<std::string, std::map<std::string, double>> by_label;
  for (const SweepRunResult& r : results.runs) {
    EXPECT_EQ(r.status, "finished") << r.label;
    ASSERT_TRUE(r.metrics.count(gt_known) && r.metrics.count(iou)) << r.label;
    EXPECT_EQ(r.metrics.at("localize.images"), 8) << r.label;  // localize.count
    by_label[r.label] = r.metrics;
  }
  // The localize key reached localize: each point records its threshold, and a box from pixels
  // above 0.1·max is larger than one from pixels above 0.7·max, so mean IoU moves.
  EXPECT_DOUBLE_EQ(by_label.at("top_k=1,thresholds=0.1").at("localize.threshold"), 0.1);
  EXPECT_DOUBLE_EQ(by_label.at("top_k=1,thresholds=0.7").at("localize.threshold"), 0.7);
  EXPECT_NE(by_label.at("top_k=16,thresholds=0.1").at(iou),
            by_label.at("top_k=16,thresholds=0.7").at(iou));
  // The method option reached the method: one channel's map is not all sixteen's, and the
  // insertion curve (Petsiuk et al. 2018) follows the whole map, not only its box.
  const std::string insertion = "localize.methods.fasterscorecam.insertion_auc";
  EXPECT_NE(by_label.at("top_k=1,thresholds=0.1").at(insertion),
            by_label.at("top_k=16,thresholds=0.1").at(insertion));
  write_results(results);
  const std::string csv = read_text(path("sweep") / "results.csv");
  EXPECT_NE(csv.find("explain.fasterscorecam.top_k,localize.thresholds," + gt_known),
            std::string::npos)
      << csv;

  // Run again: every point was scored with the same run and values, so none is redone.
  for (const RunStatus& s : run_sweep(plan, {.out = nullptr})) {
    EXPECT_EQ(s.outcome, RunOutcome::Skipped) << s.label;
  }
}

TEST_F(EvaluationSweep, ParallelPointsAreLocalizeChildrenWithTheInProcessNumbers) {
  const fs::path camlab = fs::path(CAMLAB_BINARY_DIR) / "camlab";
  if (!fs::exists(camlab)) GTEST_SKIP() << "build the camlab target to test --parallel";
  const SweepPlan serial = plan_sweep(path("sweep.toml").string(), {}, path("serial"), path("run"));
  const SweepPlan parallel =
      plan_sweep(path("sweep.toml").string(), {}, path("parallel"), path("run"));
  run_sweep(serial, {.out = nullptr});
  for (const RunStatus& s :
       run_sweep(parallel, {.parallel = 2, .executable = camlab, .out = nullptr})) {
    EXPECT_EQ(s.outcome, RunOutcome::Evaluated) << s.label << ": " << s.message;
  }
  // Each child ran `camlab localize` with the point's values and logged to <sweep>/logs; its
  // numbers are the in-process ones (same checkpoint, images and seed).
  for (const PlannedRun& point : parallel.runs) {
    EXPECT_TRUE(fs::exists(path("parallel") / "logs" / (point.label + ".log"))) << point.label;
    auto child = read_json(point.dir / "localize" / "metrics.json")["methods"];
    auto in_process =
        read_json(path("serial") / point.label / "localize" / "metrics.json")["methods"];
    child["fasterscorecam"].erase("seconds");  // the one entry a second run may change
    in_process["fasterscorecam"].erase("seconds");
    EXPECT_EQ(child, in_process) << point.label;
  }
  // A rerun skips every point the children scored.
  for (const RunStatus& s :
       run_sweep(parallel, {.parallel = 2, .executable = camlab, .out = nullptr})) {
    EXPECT_EQ(s.outcome, RunOutcome::Skipped) << s.label;
  }
  // --force redoes them; a redo whose child dies (a missing camlab here) leaves no record behind,
  // so the next run redoes the point instead of skipping it on its old record.
  for (const RunStatus& s : run_sweep(
           parallel,
           {.parallel = 2, .executable = path("no-such-camlab"), .force = true, .out = nullptr})) {
    EXPECT_EQ(s.outcome, RunOutcome::Failed) << s.label;
  }
  for (const PlannedRun& point : parallel.runs) {
    EXPECT_FALSE(scored_earlier(parallel, point)) << point.label;
  }
}

TEST_F(EvaluationSweep, CliNamesTheRunAndRefusesKeysThatNeedTraining) {
  EXPECT_EQ(cli::sweep_main({path("sweep.toml").string(), "--run", path("run").string(), "--out",
                             path("cli-sweep").string(), "--set", "localize.count=4"}),
            0);
  EXPECT_TRUE(fs::exists(path("cli-sweep") / "results.csv"));
  EXPECT_TRUE(
      fs::exists(path("cli-sweep") / "top_k=1,thresholds=0.1" / "localize" / "metrics.json"));
  EXPECT_EQ(read_json(path("cli-sweep") / "top_k=1,thresholds=0.1" / "localize" /
                      "metrics.json")["images"],
            4);

  // A model key with --run: its points would need training.
  test::write_file(path("mixed.toml"), *config_ + "[sweep]\n\"train.epochs\" = [1, 2]\n");
  expect_error(
      [&] { (void)plan_sweep(path("mixed.toml").string(), {}, path("mixed"), path("run")); },
      {"'train.epochs' changes the model"});
  // No --run and no runs/<name>: train it first.
  expect_error([&] { (void)plan_sweep(path("sweep.toml").string(), {}, path("other"), {}); },
               {"runs/eval-sweep-tiny", "train it first"});
}

}  // namespace
}  // namespace camlab::experiments
