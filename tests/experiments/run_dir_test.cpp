// Run directories: creation, clobber refusal, --force, --resume, run_info.json.
#include "experiments/run/run_dir.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/run/run_info.h"
#include "tensor/error.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

std::string error_of(std::string_view name, const RunDirOptions& options) {
  try {
    RunDir::open(name, options);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(RunDir, CreatesRunsNameWithConfigAndInfo) {
  test::TempDir dir;
  const RunDir run = RunDir::open("exp", {.runs_root = dir.path()});
  EXPECT_EQ(run.path(), dir.path() / "exp");
  EXPECT_FALSE(run.resumed());
  const Config cfg = parse_config(
      "[model]\nlayers = [{type = \"gap\"}, {type = \"linear\", out = 2}]\n", "exp.toml");
  run.write_config(cfg);
  EXPECT_EQ(read_text(run.file("config.toml")), cfg.to_toml());
  run.record_info(collect_run_info("cpu", {"camlab", "train", "exp.toml"}));
  const nlohmann::json info = read_json(run.file("run_info.json"));
  EXPECT_EQ(info["status"], "running");
  EXPECT_EQ(info["device"], "cpu");
  EXPECT_EQ(info["command"][1], "train");
  EXPECT_EQ(RunDir::state(run.path()), RunState::Unfinished);
  run.mark_finished();
  EXPECT_EQ(RunDir::state(run.path()), RunState::Finished);
}

TEST(RunDir, RefusesToClobberAFinishedRun) {
  test::TempDir dir;
  const RunDirOptions options{.runs_root = dir.path()};
  RunDir::open("exp", options).mark_finished();
  test::write_file(dir.path() / "exp" / "best.h5", "weights");
  EXPECT_EQ(error_of("exp", options),
            (dir.path() / "exp").string() +
                ": holds a finished run — pass --force to overwrite it, --resume to train it "
                "further, or --out DIR to write elsewhere");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "exp" / "best.h5"));
  // --force starts over in an emptied folder.
  const RunDir again = RunDir::open("exp", {.runs_root = dir.path(), .force = true});
  EXPECT_FALSE(std::filesystem::exists(again.file("best.h5")));
  EXPECT_EQ(RunDir::state(again.path()), RunState::Unfinished);
}

TEST(RunDir, UnfinishedRunNeedsResumeOrForce) {
  test::TempDir dir;
  const RunDirOptions options{.runs_root = dir.path()};
  const RunDir first = RunDir::open("exp", options);
  first.record_info({{"start_time", "first"}});
  test::write_file(first.file("checkpoint.h5"), "weights");
  EXPECT_NE(error_of("exp", options).find("holds an unfinished run — pass --resume"),
            std::string::npos);
  const RunDir resumed = RunDir::open("exp", {.runs_root = dir.path(), .resume = true});
  EXPECT_TRUE(resumed.resumed());
  EXPECT_TRUE(std::filesystem::exists(resumed.file("checkpoint.h5")));
  const nlohmann::json info = read_json(resumed.file("run_info.json"));
  EXPECT_EQ(info["resumed_at"].size(), 1u);
}

TEST(RunDir, OutFolderAndForeignFolders) {
  test::TempDir dir;
  const RunDir run = RunDir::open("ignored", {.out = dir.path() / "custom"});
  EXPECT_EQ(run.path(), dir.path() / "custom");
  std::filesystem::create_directory(dir.path() / "mine");
  test::write_file(dir.path() / "mine" / "thesis.tex", "precious");
  // Not a camlab run: refused even with --force, and nothing is deleted.
  EXPECT_NE(error_of("x", {.out = dir.path() / "mine", .force = true})
                .find("exists and is not a camlab run"),
            std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "mine" / "thesis.tex"));
  EXPECT_NE(error_of("new", {.runs_root = dir.path(), .resume = true}).find("nothing to resume"),
            std::string::npos);
  EXPECT_NE(error_of("", {.runs_root = dir.path()}).find("no name"), std::string::npos);
}

// A second process is refused with the holder's pid; the lock goes with the RunDir (and with the
// process, however it ends), so the next open succeeds.
TEST(RunDir, LockKeepsASecondProcessOutAndNamesTheHolder) {
  test::TempDir dir;
  const RunDirOptions resume{.runs_root = dir.path(), .resume = true};
  RunDir::open("exp", {.runs_root = dir.path()});  // a run there, lock released again
  {
    const RunDir holder = RunDir::open("exp", resume);
    const std::string expected =
        "another camlab process holds this run (pid " + std::to_string(::getpid()) + " on ";
    const pid_t child = ::fork();
    if (child == 0) {  // the second process: exit 0 only on the expected one-line refusal
      const std::string message = error_of("exp", resume);
      ::_exit(message.find(expected) != std::string::npos && message.find('\n') == std::string::npos
                  ? 0
                  : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  EXPECT_TRUE(RunDir::open("exp", resume).resumed());
  EXPECT_EQ(RunDir::state(dir.path() / "exp"), RunState::Unfinished);  // .lock is not a run file
}

TEST(RunInfo, DescribesTheBuildAndMachine) {
  const nlohmann::json info = collect_run_info("cuda:0");
  EXPECT_FALSE(info["camlab_version"].get<std::string>().empty());
  EXPECT_FALSE(info["git"].get<std::string>().empty());
  EXPECT_FALSE(info["compiler"].get<std::string>().empty());
  EXPECT_NE(info["blas"].get<std::string>().find("OpenBLAS"), std::string::npos) << info["blas"];
  EXPECT_EQ(info["device"], "cuda:0");
  EXPECT_GE(info["threads"].get<int>(), 1);
  EXPECT_FALSE(info["host"].get<std::string>().empty());
  EXPECT_EQ(info["start_time"].get<std::string>().size(), 24u);  // 2025-01-31T14:02:07+0100
}

}  // namespace
}  // namespace camlab::experiments
