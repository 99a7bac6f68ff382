// Progress bar text, plain-mode lines, and the run logger.
#include <gtest/gtest.h>

#include <cstdio>

#include "experiments/run/atomic_write.h"
#include "experiments/run/logger.h"
#include "experiments/run/progress.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

TEST(Progress, BarTextMatchesTheDesign) {
  const ProgressState state{.epoch = 3,
                            .epochs = 10,
                            .step = 512,
                            .steps = 938,
                            .loss = 0.4123,
                            .images_per_second = 1850.2,
                            .eta_seconds = 21.3};
  EXPECT_EQ(progress_bar_text(state, 10),
            "epoch 3/10 [=====>    ] 512/938 loss 0.412 1850 img/s ETA 0:21");
  EXPECT_EQ(progress_plain_text(state), "epoch 3/10 step 512/938 loss 0.412 1850 img/s ETA 0:21");
  ProgressState done = state;
  done.step = 938;
  EXPECT_EQ(progress_bar_text(done, 4).substr(0, 18), "epoch 3/10 [====] ");
}

TEST(Progress, Durations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(21.4), "0:21");
  EXPECT_EQ(format_duration(725), "12:05");
  EXPECT_EQ(format_duration(3723), "1:02:03");
}

TEST(Progress, PlainModePrintsEveryNStepsAndTheLast) {
  test::TempDir dir;
  const auto path = dir.path() / "progress.txt";
  std::FILE* out = std::fopen(path.c_str(), "w");
  ASSERT_NE(out, nullptr);
  ProgressBar bar(1, 2, 10, {.out = out, .terminal = 0, .plain_every = 4});
  for (int step = 1; step <= 10; ++step) bar.update(step, 0.5, 32);
  bar.finish();
  std::fclose(out);
  const std::string text = read_text(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;  // steps 4, 8, 10
  EXPECT_NE(text.find("epoch 1/2 step 4/10 loss 0.500"), std::string::npos) << text;
  EXPECT_NE(text.find("step 10/10"), std::string::npos) << text;
}

TEST(Progress, TerminalModeRedrawsInPlace) {
  test::TempDir dir;
  const auto path = dir.path() / "bar.txt";
  std::FILE* out = std::fopen(path.c_str(), "w");
  ProgressBar bar(1, 1, 3, {.out = out, .terminal = 1, .redraw_seconds = 0});
  for (int step = 1; step <= 3; ++step) bar.update(step, 1.0, 8);
  bar.finish();
  std::fclose(out);
  const std::string text = read_text(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 3);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_NE(text.find("[====================] 3/3"), std::string::npos) << text;
}

TEST(Logger, FileLinesHaveTimestampsConsoleLinesDoNot) {
  test::TempDir dir;
  const auto console_path = dir.path() / "console.txt";
  std::FILE* console = std::fopen(console_path.c_str(), "w");
  {
    Logger log(dir.path() / "log.txt", false, console);
    log.info("epoch {}/{} loss {:.3f}", 1, 10, 0.5);
    log.warn("no GPU");
  }
  std::fclose(console);
  EXPECT_EQ(read_text(console_path), "epoch 1/10 loss 0.500\nwarning: no GPU\n");
  const std::string file = read_text(dir.path() / "log.txt");
  // "2025-01-31 14:02:07 epoch 1/10 loss 0.500"
  ASSERT_GT(file.size(), 20u);
  EXPECT_EQ(file[4], '-');
  EXPECT_EQ(file[13], ':');
  EXPECT_EQ(file.substr(20, 22), "epoch 1/10 loss 0.500\n");
  EXPECT_NE(file.find(" warning: no GPU\n"), std::string::npos);
  {
    Logger log(dir.path() / "log.txt", /*append=*/true, nullptr);
    log.info("resumed");
  }
  EXPECT_EQ(read_text(dir.path() / "log.txt").rfind(file, 0), 0u);  // appended, not truncated
}

}  // namespace
}  // namespace camlab::experiments
