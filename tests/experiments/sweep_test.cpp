// [sweep]: grid and zip expansions into --set overrides; `camlab sweep`: run folders, resuming,
// results files and child processes.
#include "experiments/config/sweep.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/sweep/results_files.h"
#include "experiments/sweep/sweep_plan.h"
#include "experiments/sweep/sweep_results.h"
#include "experiments/sweep/sweep_runner.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

const std::string kLayers =
    "[model]\nlayers = [{type = \"conv\", out = 4}, {type = \"gap\"}, {type = \"linear\", out = "
    "2}]\n";

TEST(Sweep, GridIsEveryCombinationLastKeyFastest) {
  const Config cfg = parse_config(kLayers + R"([sweep]
"train.optimizer.lr" = [0.01, 0.1]
"data.batch_size" = [32, 64, 128]
)",
                                  "s.toml");
  const std::vector<SweepPoint> points = sweep_points(cfg);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[0].overrides,
            (std::vector<std::string>{"data.batch_size=32", "train.optimizer.lr=0.01"}));
  EXPECT_EQ(points[1].overrides,
            (std::vector<std::string>{"data.batch_size=32", "train.optimizer.lr=0.1"}));
  EXPECT_EQ(points[5].label, "batch_size=128,lr=0.1");
  // Each point is a valid config.
  const Config last = parse_config(kLayers, "s.toml", points[5].overrides);
  EXPECT_EQ(last.get_int("data.batch_size"), 128);
  EXPECT_DOUBLE_EQ(last.get_double("train.optimizer.lr"), 0.1);
}

TEST(Sweep, ZipPairsTheIthValues) {
  const Config cfg = parse_config(kLayers + R"([sweep]
mode = "zip"
"data.augment" = [[], ["hflip", "random_crop:2"]]
"model.layers.0.out" = [4, 8]
)",
                                  "s.toml");
  const std::vector<SweepPoint> points = sweep_points(cfg);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].overrides,
            (std::vector<std::string>{"data.augment=[\"hflip\", \"random_crop:2\"]",
                                      "model.layers.0.out=8"}));
  EXPECT_EQ(points[1].label, "augment=hflip+random_crop:2,out=8");
  const Config second = parse_config(kLayers, "s.toml", points[1].overrides);
  EXPECT_EQ(second.layers()[0].out, 8);
  EXPECT_EQ(second.get_strings("data.augment").size(), 2u);
}

TEST(Sweep, NoKeysNoPoints) { EXPECT_TRUE(sweep_points(parse_config(kLayers, "s.toml")).empty()); }

}  // namespace
}  // namespace camlab::experiments

// ---------------------------------------------------------------------------------------------
// `camlab sweep`: plans, run folders, skipping finished runs, results files, child processes.

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;

// Four runs of a tiny net on generated shapes; each trains in well under a second.
const std::string kTinySweep = R"(
[experiment]
name = "tiny-sweep"
device = "cpu"
threads = 1
[data]
dataset = "synthetic-shapes"
image_size = 12
train_count = 64
test_count = 32
batch_size = 32
[model]
layers = [{type = "conv", out = 4, kernel = 3, pad = 1, name = "conv1"}, {type = "relu"},
          {type = "gap"}, {type = "linear", out = 4, name = "fc"}]
[train]
epochs = 1
optimizer = {type = "adam", lr = 0.01}
[sweep]
"train.optimizer.lr" = [0.01, 0.05]
"model.layers.0.out" = [4, 6]
)";

struct TinySweep {
  test::TempDir tmp;
  fs::path config = tmp.path() / "tiny.toml";
  fs::path dir = tmp.path() / "sweep";
  TinySweep(const std::string& text = kTinySweep) { test::write_file(config, text); }
  SweepPlan plan(const std::vector<std::string>& overrides = {}) const {
    SweepPlan p = plan_sweep(config.string(), overrides, dir);
    write_sweep_record(p);
    return p;
  }
};

std::vector<RunOutcome> outcomes(const std::vector<RunStatus>& statuses) {
  std::vector<RunOutcome> out;
  for (const RunStatus& s : statuses) out.push_back(s.outcome);
  return out;
}

std::string read_file(const fs::path& path) { return read_text(path); }

TEST(SweepRun, PlanNamesEachRunFolderAfterItsValues) {
  TinySweep s;
  const SweepPlan plan = s.plan({"train.epochs=2"});
  EXPECT_EQ(plan.keys, (std::vector<std::string>{"model.layers.0.out", "train.optimizer.lr"}));
  ASSERT_EQ(plan.runs.size(), 4u);
  EXPECT_EQ(plan.runs[1].label, "out=4,lr=0.05");
  EXPECT_EQ(plan.runs[1].dir, s.dir / "out=4,lr=0.05");
  EXPECT_EQ(plan.runs[1].values, (std::vector<std::string>{"4", "0.05"}));
  // The user's overrides come first, the point's after them.
  EXPECT_EQ(plan.runs[1].overrides,
            (std::vector<std::string>{"train.epochs=2", "model.layers.0.out=4",
                                      "train.optimizer.lr=0.05"}));
  const SweepPlan back = read_sweep_record(s.dir);
  EXPECT_EQ(back.keys, plan.keys);
  ASSERT_EQ(back.runs.size(), 4u);
  EXPECT_EQ(back.runs[3].overrides, plan.runs[3].overrides);
  EXPECT_NE(back.base_toml.find("tiny-sweep"), std::string::npos);
}

TEST(SweepRun, BadPointsAndForeignFoldersFailBeforeTraining) {
  TinySweep s(kTinySweep + "\"model.layers.2.out\" = [3]\n");  // gap has no 'out'
  EXPECT_THROW(
      {
        try {
          (void)plan_sweep(s.config.string(), {}, s.dir);
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("sweep point"), std::string::npos) << e.what();
          throw;
        }
      },
      ConfigError);
  TinySweep t;
  fs::create_directories(t.dir);
  test::write_file(t.dir / "notes.txt", "mine");
  EXPECT_THROW((void)plan_sweep(t.config.string(), {}, t.dir), Error);
  test::write_file(t.config, kTinySweep.substr(0, kTinySweep.find("[sweep]")));
  EXPECT_THROW((void)plan_sweep(t.config.string(), {}, t.tmp.path() / "fresh"), Error);
}

TEST(SweepRun, TrainsEveryPointThenSkipsFinishedOnesAndResumesUnfinished) {
  TinySweep s;
  const SweepPlan plan = s.plan();
  const std::vector<RunStatus> first = run_sweep(plan, {.out = nullptr});
  for (const RunStatus& status : first) {
    EXPECT_EQ(status.outcome, RunOutcome::Trained) << status.label << ": " << status.message;
  }
  for (const PlannedRun& run : plan.runs) {
    EXPECT_TRUE(fs::exists(run.dir / "metrics.json")) << run.dir;
  }
  EXPECT_EQ(outcomes(run_sweep(plan, {.out = nullptr})),
            std::vector<RunOutcome>(4, RunOutcome::Skipped));

  // An interrupted run (status "running", no final metrics) is continued, the others skipped.
  const fs::path broken = plan.runs[2].dir;
  nlohmann::json info = read_json(broken / "run_info.json");
  info["status"] = "running";
  write_json_atomic(broken / "run_info.json", info);
  fs::remove(broken / "metrics.json");
  EXPECT_EQ(outcomes(run_sweep(plan, {.out = nullptr})),
            (std::vector<RunOutcome>{RunOutcome::Skipped, RunOutcome::Skipped, RunOutcome::Trained,
                                     RunOutcome::Skipped}));
  EXPECT_TRUE(read_json(broken / "run_info.json").contains("resumed_at"));
  EXPECT_TRUE(fs::exists(broken / "metrics.json"));

  // A finished run of a different config is not silently reused; --force retrains it.
  const SweepPlan longer = s.plan({"train.epochs=2"});
  const std::vector<RunStatus> refused = run_sweep(longer, {.out = nullptr});
  EXPECT_EQ(refused[0].outcome, RunOutcome::Failed);
  EXPECT_NE(refused[0].message.find("--force"), std::string::npos) << refused[0].message;
  EXPECT_EQ(outcomes(run_sweep(longer, {.force = true, .out = nullptr})),
            std::vector<RunOutcome>(4, RunOutcome::Trained));
}

TEST(SweepRun, ResultsTableIsRankedAndPlotted) {
  TinySweep s;
  const SweepPlan plan = s.plan();
  run_sweep(plan, {.out = nullptr});
  const SweepResults results = collect_results(s.dir);
  ASSERT_EQ(results.runs.size(), 4u);
  EXPECT_EQ(results.rank_metric, "test_accuracy");
  EXPECT_EQ(results.metrics.front(), "test_accuracy");
  for (size_t i = 1; i < results.runs.size(); ++i) {
    EXPECT_GE(results.runs[i - 1].metrics.at("test_accuracy"),
              results.runs[i].metrics.at("test_accuracy"));
    EXPECT_EQ(results.runs[i].status, "finished");
  }
  write_results(results);

  std::istringstream csv(read_file(s.dir / "results.csv"));
  std::string header;
  std::getline(csv, header);
  EXPECT_TRUE(header.starts_with("run,status,model.layers.0.out,train.optimizer.lr,test_accuracy"))
      << header;
  int rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  EXPECT_EQ(rows, 4);
  // Labels hold commas, so they are quoted.
  EXPECT_NE(read_file(s.dir / "results.csv").find("\"out=4,lr=0.01\",finished,4,0.01,"),
            std::string::npos);

  const std::string md = read_file(s.dir / "results.md");
  EXPECT_TRUE(md.starts_with("# tiny-sweep sweep\n")) << md;
  EXPECT_NE(md.find("ranked by test_accuracy (higher is better)"), std::string::npos);
  EXPECT_NE(md.find("| 1 | " + results.runs[0].label + " |"), std::string::npos) << md;
  // One plot per metric (bookkeeping such as epochs left out) and swept key, each a PNG.
  const std::vector<MetricPlot> plots = metric_plots(results);
  ASSERT_FALSE(plots.empty());
  EXPECT_EQ(plots.size() % 2, 0u);
  for (const MetricPlot& plot : plots) {
    EXPECT_NE(plot.metric, "epochs");
    const fs::path png = s.dir / "plots" / (plot.file_stem + ".png");
    EXPECT_TRUE(fs::exists(png)) << png;
    EXPECT_NE(md.find("plots/" + plot.file_stem + ".png"), std::string::npos);
  }
  // test_accuracy against lr: one line per width, two points each, x sorted.
  const auto lr_plot = std::find_if(plots.begin(), plots.end(), [](const MetricPlot& p) {
    return p.metric == "test_accuracy" && p.key == "train.optimizer.lr";
  });
  ASSERT_NE(lr_plot, plots.end());
  ASSERT_EQ(lr_plot->series.size(), 2u);
  EXPECT_EQ(lr_plot->series[0].name, "out=4");
  EXPECT_EQ(lr_plot->series[0].x, (std::vector<double>{0.01, 0.05}));
  EXPECT_TRUE(lr_plot->categories.empty());
}

TEST(SweepRun, WordValuesPlotAsCategories) {
  TinySweep s(kTinySweep.substr(0, kTinySweep.find("[sweep]")) +
              "[sweep]\nmode = \"zip\"\n\"model.layers.1.type\" = [\"relu\", \"gelu\"]\n"
              "\"data.batch_size\" = [16, 32]\n");
  const SweepPlan plan = s.plan();
  ASSERT_EQ(plan.runs.size(), 2u);  // zip: the i-th values together
  EXPECT_EQ(plan.runs[1].label, "batch_size=32,type=gelu");
  run_sweep(plan, {.out = nullptr});
  const SweepResults results = collect_results(s.dir, "test_loss");
  EXPECT_FALSE(results.higher_is_better);
  EXPECT_LE(results.runs[0].metrics.at("test_loss"), results.runs[1].metrics.at("test_loss"));
  for (const MetricPlot& plot : metric_plots(results)) {
    if (plot.key != "model.layers.1.type") continue;
    EXPECT_EQ(plot.categories, (std::vector<std::string>{"relu", "gelu"}));
    ASSERT_EQ(plot.series.size(), 2u);  // one per batch size
  }
  EXPECT_THROW((void)collect_results(s.dir, "no_such_metric"), Error);
}

TEST(SweepRun, ParallelRunsAreChildProcessesOfTheCamlabBinary) {
  const fs::path camlab = fs::path(CAMLAB_BINARY_DIR) / "camlab";
  if (!fs::exists(camlab)) GTEST_SKIP() << "build the camlab target to test --parallel";
  TinySweep s;
  const SweepPlan plan = s.plan();
  const std::vector<RunStatus> statuses =
      run_sweep(plan, {.parallel = 2, .executable = camlab, .out = nullptr});
  for (const RunStatus& status : statuses) {
    EXPECT_EQ(status.outcome, RunOutcome::Trained) << status.label << ": " << status.message;
  }
  for (const PlannedRun& run : plan.runs) {
    EXPECT_TRUE(fs::exists(s.dir / "logs" / (run.label + ".log")));
    const nlohmann::json info = read_json(run.dir / "run_info.json");
    EXPECT_EQ(info.value("status", ""), "finished");
    // The child was started as `camlab train <config> --set ...` with this run's values.
    const std::string command = info.at("command").dump();
    EXPECT_NE(command.find(run.overrides.back()), std::string::npos) << command;
  }
  EXPECT_EQ(outcomes(run_sweep(plan, {.parallel = 2, .executable = camlab, .out = nullptr})),
            std::vector<RunOutcome>(4, RunOutcome::Skipped));
}

// The pid in a run's lock file ("pid 4242 on node7 since ..."), once the run holds it; else 0.
pid_t lock_holder(const fs::path& run_dir) {
  std::ifstream lock(run_dir / ".lock");
  std::string word;
  pid_t pid = 0;
  lock >> word >> pid;
  return word == "pid" ? pid : 0;
}

// Issue 18's sweep soak: a child killed by SIGKILL mid-run (past its first checkpoint) is recorded
// as failed with its signal, the other runs go on to the end, and a second `camlab sweep` reruns
// only the killed one, resuming it from its checkpoint to the same end as an unkilled run.
TEST(SweepRun, KilledChildIsRecordedOthersFinishAndTheRerunResumesOnlyIt) {
  const fs::path camlab = fs::path(CAMLAB_BINARY_DIR) / "camlab";
  if (!fs::exists(camlab)) GTEST_SKIP() << "build the camlab target to test --parallel";
  const std::string text = kTinySweep.substr(0, kTinySweep.find("[sweep]")) +
                           "[sweep]\n\"train.epochs\" = [1, 120, 2]\n";
  TinySweep s(text);
  const SweepPlan plan = s.plan();
  ASSERT_EQ(plan.runs.size(), 3u);
  const fs::path victim = plan.runs[1].dir;  // 120 epochs: killed after its first checkpoint
  std::atomic<bool> killed = false;
  std::thread killer([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t pid = lock_holder(victim);
      if (pid > 0 && fs::exists(victim / "checkpoint.h5")) {
        killed = ::kill(pid, SIGKILL) == 0;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  const std::vector<RunStatus> first =
      run_sweep(plan, {.parallel = 2, .executable = camlab, .out = nullptr});
  killer.join();
  ASSERT_TRUE(killed);
  EXPECT_EQ(outcomes(first), (std::vector<RunOutcome>{RunOutcome::Trained, RunOutcome::Failed,
                                                      RunOutcome::Trained}));
  EXPECT_NE(first[1].message.find("exit status 137"), std::string::npos) << first[1].message;
  EXPECT_FALSE(fs::exists(victim / "metrics.json"));

  const std::vector<RunStatus> rerun =
      run_sweep(plan, {.parallel = 2, .executable = camlab, .out = nullptr});
  EXPECT_EQ(outcomes(rerun), (std::vector<RunOutcome>{RunOutcome::Skipped, RunOutcome::Trained,
                                                      RunOutcome::Skipped}));
  const nlohmann::json info = read_json(victim / "run_info.json");
  EXPECT_EQ(info.value("status", ""), "finished");
  EXPECT_TRUE(info.contains("resumed_at"));
  // metrics.csv: a header and epochs 1..120 once each, in order.
  std::ifstream csv(victim / "metrics.csv");
  std::string line;
  std::getline(csv, line);
  int64_t expected_epoch = 1;
  while (std::getline(csv, line)) {
    EXPECT_EQ(std::stoll(line.substr(0, line.find(','))), expected_epoch) << line;
    ++expected_epoch;
  }
  EXPECT_EQ(expected_epoch, 121);
}

TEST(SweepRun, ShippedAblationPlansEightValidRuns) {
  const SweepPlan plan =
      plan_sweep(std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/ablation-width-depth.toml",
                 {}, test::TempDir().path() / "abl");
  ASSERT_EQ(plan.runs.size(), 8u);
  EXPECT_EQ(plan.keys,
            (std::vector<std::string>{"model.blocks.stage.0.repeat", "model.blocks.unit.0.out",
                                      "model.blocks.unit.1.type"}));
  EXPECT_EQ(plan.runs.back().label, "repeat=2,out=32,type=relu");
  // The "relu" runs have no batch norm; the others one per convolution.
  const Config relu = load_config(plan.config_path, plan.runs.back().overrides);
  EXPECT_EQ(relu.blocks().at("unit")[1].type, "relu");
  EXPECT_EQ(relu.blocks().at("stage")[0].repeat, 2);
  EXPECT_EQ(relu.blocks().at("unit")[0].out, 32);
}

}  // namespace
}  // namespace camlab::experiments
