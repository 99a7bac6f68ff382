// camlab explain's target flags end to end: --target top2 with --score softmax writes one map per
// (method, rank) with each image's classes recorded, --reference-image explains the cosine to a
// photo, and a bad --score or topK is one line naming what is valid.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "experiments/config/config.h"
#include "experiments/explain/explanations_file.h"
#include "experiments/train/trainer.h"
#include "tests/experiments/temp_dir.h"
#include "tests/support/values.h"

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;

const std::string kCamlab = std::string(CAMLAB_BINARY_DIR) + "/camlab";
const fs::path kPhoto = "/usr/lib/python3/dist-packages/skimage/data/chelsea.png";

struct Cli {
  int status;
  std::string out, err;
};

Cli camlab_in(const test::TempDir& dir, const std::string& args) {
  const std::string cmd =
      "cd " + dir.path().string() + " && " + kCamlab + " " + args + " > out 2> err";
  const int status = std::system(cmd.c_str());
  auto slurp = [&](const char* name) {
    std::ifstream in(dir.path() / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  return {WEXITSTATUS(status), slurp("out"), slurp("err")};
}

TEST(ExplainTargetFlags, TopKScoreAndReferenceImage) {
  if (!fs::exists(kCamlab)) GTEST_SKIP() << "the camlab binary is not built";
  if (!fs::exists(kPhoto)) GTEST_SKIP() << "python3-skimage is not installed";
  test::TempDir dir;
  const Config cfg =
      load_config(std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml",
                  {"data.channels=3", "data.train_count=32", "data.test_count=8", "train.epochs=1",
                   "experiment.threads=1"});
  train_experiment(cfg, {.out = dir.path() / "run", .progress = 0});
  const std::string base = "explain run --image " + kPhoto.string() + " --resize 40 --crop 32";

  Cli r = camlab_in(dir, base + " --methods gradcam --target top2 --score softmax --h5 a.h5");
  ASSERT_EQ(r.status, 0) << r.err;
  const ExplanationsFile top = read_explanations(dir.path() / "a.h5");
  ASSERT_TRUE(top.classes.count("gradcam:top1") && top.classes.count("gradcam:top2"));
  EXPECT_NE(test::values(top.classes.at("gradcam:top1")),
            test::values(top.classes.at("gradcam:top2")));
  EXPECT_EQ(top.maps.at("gradcam:top2").shape(), (Shape{1, 32, 32}));

  r = camlab_in(dir,
                base + " --methods gradcam --reference-image " + kPhoto.string() + " --h5 b.h5");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_explanations(dir.path() / "b.h5").maps.at("gradcam").shape(), (Shape{1, 32, 32}));

  r = camlab_in(dir, base + " --score prob");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("logit, softmax, sigmoid"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = camlab_in(dir, base + " --target top9");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("top9"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace camlab::experiments
