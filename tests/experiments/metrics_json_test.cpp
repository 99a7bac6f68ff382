// metrics.json and the atomic writer under it.
#include "experiments/run/metrics_json.h"

#include <gtest/gtest.h>

#include "experiments/run/atomic_write.h"
#include "tensor/error.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

TEST(MetricsJson, SavesAndReloads) {
  test::TempDir dir;
  const auto path = dir.path() / "metrics.json";
  MetricsJson metrics(path);
  metrics.set("test_accuracy", 0.912);
  metrics.set("best_epoch", 7);
  metrics.save();
  EXPECT_EQ(read_text(path), "{\n  \"best_epoch\": 7,\n  \"test_accuracy\": 0.912\n}\n");
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  MetricsJson resumed(path);  // a resumed run starts from what is there
  EXPECT_EQ(resumed.data()["best_epoch"], 7);
}

TEST(MetricsJson, FailedWriteLeavesTheOldFileWhole) {
  test::TempDir dir;
  const auto path = dir.path() / "metrics.json";
  write_json_atomic(path, {{"epoch", 1}});
  // A directory where the temporary file must go makes the write fail before the rename.
  std::filesystem::create_directory(path.string() + ".tmp");
  try {
    write_json_atomic(path, {{"epoch", 2}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("metrics.json.tmp"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_json(path)["epoch"], 1);
}

TEST(MetricsJson, ReplacesInOneStep) {
  test::TempDir dir;
  const auto path = dir.path() / "a.txt";
  write_text_atomic(path, std::string(100000, 'x'));
  write_text_atomic(path, "short");
  EXPECT_EQ(read_text(path), "short");
}

TEST(MetricsJson, CorruptFileIsReportedByName) {
  test::TempDir dir;
  const auto path = dir.path() / "metrics.json";
  test::write_file(path, "{not json");
  try {
    MetricsJson metrics(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("metrics.json: not valid JSON"), std::string::npos);
  }
}

}  // namespace
}  // namespace camlab::experiments
