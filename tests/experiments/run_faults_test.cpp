// Disk and permission faults under a real `camlab train` (issue 18): each ends in a one-line
// error with exit status 1, and the previous checkpoint stays intact and loadable.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "datasets/hdf5_dataset.h"
#include "nn/checkpoint.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;

const std::string kCamlab = std::string(CAMLAB_BINARY_DIR) + "/camlab";
const std::string kTrainTiny = kCamlab + " train " + CAMLAB_SOURCE_DIR +
                               "/experiments/configs/tiny-synthetic.toml --set data.workers=0 " +
                               "--set data.train_count=64 --set data.test_count=32 ";

struct Outcome {
  int status;
  std::string stderr_text;
};

// Runs a bash command line, stdout discarded. Its stderr comes back through a pipe, which a file
// size limit set inside the command (ulimit -f) does not reach.
Outcome shell(const std::string& command) {
  FILE* pipe = ::popen(("bash -c '" + command + " 2>&1 > /dev/null'").c_str(), "r");
  std::string text;
  char buffer[4096];
  while (pipe != nullptr && std::fgets(buffer, sizeof(buffer), pipe) != nullptr) text += buffer;
  const int status = pipe != nullptr ? ::pclose(pipe) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), text};
}

// Exit status 1 and one error line, the last: the log lines before it are progress, not errors.
void expect_one_line_error(const Outcome& o, const std::string& fragment) {
  EXPECT_EQ(o.status, 1) << o.stderr_text;
  const size_t last = o.stderr_text.rfind("\ncamlab: ");
  const std::string error_line = o.stderr_text.substr(last == std::string::npos ? 0 : last + 1);
  EXPECT_TRUE(error_line.starts_with("camlab: ")) << o.stderr_text;
  EXPECT_EQ(std::count(error_line.begin(), error_line.end(), '\n'), 1) << o.stderr_text;
  EXPECT_NE(error_line.find(fragment), std::string::npos) << o.stderr_text;
}

// The checkpoint after `epoch` epochs, loadable, with no half-written .tmp beside it.
void expect_checkpoint_of_epoch(const fs::path& run, int64_t epoch) {
  EXPECT_FALSE(fs::exists(run / "checkpoint.h5.tmp"));
  EXPECT_EQ(nn::read_checkpoint(run / "checkpoint.h5").info.epoch, epoch);
}

class RunFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kCamlab)) GTEST_SKIP() << "the camlab binary is not built";
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (test.starts_with("ReadOnly") && ::geteuid() == 0) {
      GTEST_SKIP() << "root writes into read-only folders";
    }
    // One finished epoch: the checkpoint every fault below must leave intact.
    const Outcome first = shell(kTrainTiny + "--set train.epochs=1 --out " + run_.string());
    ASSERT_EQ(first.status, 0) << first.stderr_text;
  }

  test::TempDir dir_;
  fs::path run_ = dir_.path() / "run";
};

TEST_F(RunFaults, FullDiskDuringCheckpointWriteKeepsThePreviousOne) {
  // RLIMIT_FSIZE below the checkpoint's size: every smaller file of the run still fits.
  const auto limit_kib = fs::file_size(run_ / "checkpoint.h5") / 1024 - 2;
  const Outcome o = shell("ulimit -f " + std::to_string(limit_kib) + "; " + kTrainTiny +
                          "--set train.epochs=2 --resume --out " + run_.string());
  expect_one_line_error(o, "checkpoint.h5.tmp: File too large");
  expect_one_line_error(o, "(the previous checkpoint is untouched)");
  expect_checkpoint_of_epoch(run_, 1);
}

TEST_F(RunFaults, FullDiskAtTheFirstWriteLeavesTheRunAsItWas) {
  // 1 KiB: config.toml (the first file a resumed run rewrites) no longer fits.
  const Outcome o =
      shell("ulimit -f 1; " + kTrainTiny + "--set train.epochs=2 --resume --out " + run_.string());
  expect_one_line_error(o, "config.toml.tmp: File too large — free disk space or raise");
  expect_checkpoint_of_epoch(run_, 1);
  EXPECT_FALSE(fs::exists(run_ / "config.toml.tmp"));
}

TEST_F(RunFaults, RunDirectoryDeletedUnderARunningJob) {
  // Removed once the job is past its first checkpoint of a long run.
  const std::string job = kTrainTiny + "--set train.epochs=200 --resume --out " + run_.string();
  std::thread remover([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(run_ / "best.h5.tmp") && !fs::exists(run_ / "checkpoint.h5.tmp") &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::error_code ignored;  // the job may create a file mid-removal: retry until it is gone
    while (fs::exists(run_) && std::chrono::steady_clock::now() < deadline) {
      fs::remove_all(run_, ignored);
    }
  });
  const Outcome o = shell(job);
  remover.join();
  expect_one_line_error(o, run_.string());
}

TEST_F(RunFaults, ReadOnlyRunDirectoryIsRefusedAndLeftAsItWas) {
  fs::permissions(run_, fs::perms::owner_read | fs::perms::owner_exec);
  const Outcome o = shell(kTrainTiny + "--set train.epochs=2 --resume --out " + run_.string());
  fs::permissions(run_, fs::perms::owner_all);
  expect_one_line_error(o, "Permission denied");
  expect_checkpoint_of_epoch(run_, 1);
}

// `camlab make-dataset` writes through the same in-memory HDF5 file and atomic writer as a
// checkpoint: a full disk is one line, and the dataset made before stays readable. Before, libhdf5
// wrote the file itself and could crash at exit after the failed write.
TEST(DatasetWriteFaults, FullDiskKeepsThePreviousDataset) {
  if (!fs::exists(kCamlab)) GTEST_SKIP() << "the camlab binary is not built";
  test::TempDir dir;
  const fs::path out = dir.path() / "composite.h5";
  const std::string make = kCamlab + " make-dataset composite --base shapes --canvas 48 --seed 3 " +
                           "--out " + out.string() + " --n ";
  const Outcome made = shell(make + "64");
  ASSERT_EQ(made.status, 0) << made.stderr_text;
  const auto limit_kib = fs::file_size(out) / 1024 + 1;  // fits 64 canvases, not 2000
  const Outcome o = shell("ulimit -f " + std::to_string(limit_kib) + "; " + make + "2000");
  expect_one_line_error(o, "composite.h5.tmp: File too large");
  expect_one_line_error(o, "(the previous dataset is untouched)");
  EXPECT_FALSE(fs::exists(out.string() + ".tmp"));
  EXPECT_EQ(datasets::read_hdf5_dataset(out.string()).size(), 64);
}

}  // namespace
}  // namespace camlab::experiments
