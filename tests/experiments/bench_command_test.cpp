// `camlab bench --quick --json`: every figure the report promises is there and positive, and a
// GPU that is not there is the same one-line error as `camlab train --device cuda`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tensor/cuda/device.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

const std::string kCamlab = std::string(CAMLAB_BINARY_DIR) + "/camlab";

// Runs the CLI from the temp dir (not the source tree: the verb must find its config itself).
int run_camlab(const test::TempDir& dir, const std::string& args, std::string* err) {
  const std::string cmd =
      "cd " + dir.path().string() + " && " + kCamlab + " " + args + " 2> err" + " > out";
  const int status = std::system(cmd.c_str());
  std::ifstream in(dir.path() / "err");
  err->assign(std::istreambuf_iterator<char>(in), {});
  return WEXITSTATUS(status);
}

TEST(BenchCommand, QuickJsonHasEveryFigurePositive) {
  if (!std::filesystem::exists(kCamlab)) GTEST_SKIP() << "the camlab binary is not built";
  test::TempDir dir;
  std::string err;
  ASSERT_EQ(run_camlab(dir, "bench --quick --threads 2 --json bench.json", &err), 0) << err;
  std::ifstream in(dir.path() / "bench.json");
  const nlohmann::json r = nlohmann::json::parse(in);

  EXPECT_EQ(r.at("model"), "fmnist-gapnet");
  EXPECT_EQ(r.at("threads"), 2);
  const std::vector<std::pair<std::string, std::string>> figures = {
      {"train", "images_per_second"},
      {"train", "batch"},
      {"inference", "images_per_second"},
      {"inference", "batch"},
      {"gradcam", "images_per_second"},
      {"scorecam", "images_per_second"},
      {"memory", "train_start_rss_mib"},
      {"memory", "train_peak_rss_mib"},
      {"memory", "run_peak_rss_mib"},
      {"fma_peak", "gflops"},
      {"conv2d", "forward_gflops"},
      {"conv2d", "backward_input_gflops"},
      {"conv2d", "backward_weight_gflops"},
      {"conv2d", "backward_gflops"},
      {"conv2d", "forward_fraction_of_peak"},
      {"conv2d", "backward_fraction_of_peak"},
      {"fma_peak", "gflops_per_core"},
      {"conv2d", "forward_gflops_per_core"},
      {"conv2d", "forward_fraction_of_core_peak"}};
  for (const auto& [section, key] : figures) {
    ASSERT_TRUE(r.contains(section) && r[section].contains(key)) << section << "." << key;
    EXPECT_GT(r[section][key].get<double>(), 0) << section << "." << key;
  }
  EXPECT_EQ(r["train"]["batch"], 64);
  EXPECT_EQ(r["inference"]["batch"], 256);
  // Training is measured first, so the whole run's peak includes the training peak.
  EXPECT_GE(r["memory"]["run_peak_rss_mib"].get<double>(),
            r["memory"]["train_peak_rss_mib"].get<double>());
#if !defined(__SANITIZE_ADDRESS__)
  // No kernel beats the FMA roofline; a fraction above 1 means the peak was mismeasured. (Not
  // in sanitizer builds: there the instrumented FMA loop is far below the machine's peak while
  // the convolution's time is mostly in uninstrumented OpenBLAS.)
  EXPECT_LT(r["conv2d"]["forward_fraction_of_peak"].get<double>(), 1.5);
#endif
}

TEST(BenchCommand, MissingGpuIsOneClearLine) {
  if (!std::filesystem::exists(kCamlab)) GTEST_SKIP() << "the camlab binary is not built";
  if (cuda::device_count() > 0) GTEST_SKIP() << "a GPU is present";
  test::TempDir dir;
  std::string err;
  EXPECT_EQ(run_camlab(dir, "bench --quick --device cuda", &err), 1);
  EXPECT_NE(err.find("no CUDA"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

}  // namespace
}  // namespace camlab::experiments
