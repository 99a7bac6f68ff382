// Reproducibility: the same config and seed give the same metrics.csv on the CPU (every column
// but the timings) and the same weights; each run directory records what produced it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "experiments/config/config.h"
#include "experiments/report/markdown.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/train/trainer.h"
#include "nn/checkpoint.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;

// images_per_second and seconds measure the machine, not the model.
const std::vector<std::string> kTimingColumns = {"images_per_second", "seconds"};

std::vector<std::vector<std::string>> without_timings(const fs::path& metrics_csv) {
  std::vector<std::vector<std::string>> rows = parse_csv(read_text(metrics_csv));
  std::vector<size_t> keep;
  for (size_t c = 0; c < rows.front().size(); ++c) {
    const std::string& name = rows.front()[c];
    if (std::find(kTimingColumns.begin(), kTimingColumns.end(), name) == kTimingColumns.end()) {
      keep.push_back(c);
    }
  }
  for (auto& row : rows) {
    std::vector<std::string> kept;
    for (const size_t c : keep) kept.push_back(c < row.size() ? row[c] : "");
    row = kept;
  }
  return rows;
}

TEST(Reproducibility, SameConfigAndSeedGiveIdenticalMetricsAndWeights) {
  test::TempDir tmp;
  // Dropout and augmentation draw random numbers too: both must replay exactly.
  const Config cfg = load_config(
      std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml",
      {"data.train_count=256", "data.test_count=64", "train.epochs=3",
       "data.augment=[hflip, \"random_crop:2\"]", "model.layers.5={type = \"dropout\", p = 0.2}",
       "model.layers.6={type = \"gap\"}",
       "model.layers.7={type = \"linear\", out = 4, name = \"fc\"}"});
  ASSERT_EQ(cfg.layers().size(), 8u);
  const TrainResult a = train_experiment(cfg, {.out = tmp.path() / "a", .progress = 0});
  const TrainResult b = train_experiment(cfg, {.out = tmp.path() / "b", .progress = 0});

  const auto rows_a = without_timings(a.run_dir / "metrics.csv");
  const auto rows_b = without_timings(b.run_dir / "metrics.csv");
  ASSERT_EQ(rows_a.size(), 4u);  // header + 3 epochs
  EXPECT_EQ(rows_a.front(), (std::vector<std::string>{"epoch", "train_loss", "train_accuracy",
                                                      "test_loss", "test_accuracy", "lr"}));
  EXPECT_EQ(rows_a, rows_b);
  EXPECT_EQ(a.test_accuracy, b.test_accuracy);

  const nn::Checkpoint wa = nn::read_checkpoint(a.run_dir / "checkpoint.h5");
  const nn::Checkpoint wb = nn::read_checkpoint(b.run_dir / "checkpoint.h5");
  ASSERT_EQ(wa.model.size(), wb.model.size());
  for (const auto& [name, tensor] : wa.model) {
    const Tensor other = wb.model.at(name).contiguous();
    const Tensor mine = tensor.contiguous();
    ASSERT_EQ(mine.numel(), other.numel()) << name;
    EXPECT_EQ(std::memcmp(mine.raw_data(), other.raw_data(),
                          static_cast<size_t>(mine.numel()) * dtype_size(mine.dtype())),
              0)
        << name;
  }
}

TEST(Reproducibility, RunInfoRecordsVersionCompilerBlasDeviceAndThreads) {
  test::TempDir tmp;
  const Config cfg = load_config(
      std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml",
      {"data.train_count=32", "data.test_count=32", "train.epochs=1", "experiment.threads=2"});
  const TrainResult r = train_experiment(
      cfg, {.out = tmp.path() / "run", .progress = 0, .command = {"camlab", "train", "x.toml"}});
  const nlohmann::json info = read_json(r.run_dir / "run_info.json");
  for (const char* key :
       {"camlab_version", "git", "compiler", "blas", "device", "host", "start_time", "end_time"}) {
    ASSERT_TRUE(info.contains(key)) << key << " missing in " << info.dump();
    EXPECT_FALSE(info.at(key).get<std::string>().empty()) << key;
  }
  EXPECT_EQ(info.at("device"), "cpu");
  EXPECT_EQ(info.at("threads"), 2);
  EXPECT_EQ(info.at("status"), "finished");
  EXPECT_EQ(info.at("command"), (nlohmann::json{"camlab", "train", "x.toml"}));
  EXPECT_NE(info.at("compiler").get<std::string>().find_first_of("0123456789"), std::string::npos);
}

}  // namespace
}  // namespace camlab::experiments
