// camlab train end to end on the tiny synthetic config: the run directory, exact resumption after
// a crash mid-epoch, a loss that turns NaN, shape errors naming the layer, and CLI exit codes.
#include "experiments/train/trainer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "experiments/config/config.h"
#include "experiments/model/model_builder.h"
#include "experiments/run/metrics_json.h"
#include "nn/checkpoint.h"
#include "tensor/cuda/device.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

const std::string kTiny =
    std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml";

Config tiny(std::vector<std::string> overrides = {}) {
  overrides.push_back("experiment.threads=1");  // bitwise-reproducible reductions
  return load_config(kTiny, overrides);
}

TEST(Trainer, WritesTheWholeRunDirectory) {
  test::TempDir dir;
  TrainResult r = train_experiment(tiny(), {.out = dir.path() / "run", .progress = 0});
  for (const char* file : {"config.toml", "checkpoint.h5", "best.h5", "metrics.csv", "metrics.json",
                           "log.txt", "loss.png", "accuracy.png", "run_info.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "run" / file)) << file;
  }
  nlohmann::json m = read_json(dir.path() / "run" / "metrics.json");
  for (const char* key : {"test_accuracy", "test_loss", "epochs", "train_images_per_second"}) {
    EXPECT_TRUE(m.contains(key)) << key;
  }
  EXPECT_EQ(m["epochs"], 2);
  EXPECT_GT(r.test_accuracy, 0.3) << "4 balanced classes: a trained net beats chance (0.25)";
  std::ifstream csv(dir.path() / "run" / "metrics.csv");
  std::string header, line;
  std::getline(csv, header);
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 2);
  EXPECT_EQ(header.rfind("epoch,train_loss", 0), 0u) << header;
}

// The trainer on a GPU: the same two epochs as on the CPU (same seed, same batches) end with the
// same test loss and accuracy, up to float rounding carried through 32 optimizer steps.
TEST(Trainer, GpuRunMatchesTheCpuRun) {
  if (!cuda::backend_built() || cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device";
  test::TempDir dir;
  const TrainResult cpu = train_experiment(tiny(), {.out = dir.path() / "cpu", .progress = 0});
  const TrainResult gpu =
      train_experiment(tiny(), {.out = dir.path() / "gpu", .device = "cuda", .progress = 0});
  EXPECT_NEAR(gpu.test_loss, cpu.test_loss, 1e-3 * std::max(1.0, cpu.test_loss));
  EXPECT_NEAR(gpu.test_accuracy, cpu.test_accuracy, 2.0 / 128) << "at most two of 128 flip";
  EXPECT_EQ(gpu.epochs, 2);
  EXPECT_EQ(read_json(dir.path() / "gpu" / "run_info.json")["device"], "cuda:0");
}

TEST(Trainer, ResumedRunEndsWithTheSameWeights) {
  test::TempDir dir;
  Config cfg = tiny({"train.epochs=3"});
  train_experiment(cfg, {.out = dir.path() / "straight", .progress = 0});
  // 16 steps per epoch: die 5 steps into the second epoch, then resume.
  EXPECT_THROW(
      train_experiment(cfg,
                       {.out = dir.path() / "crashed", .progress = 0, .interrupt_after_steps = 21}),
      TrainingInterrupted);
  EXPECT_THROW(train_experiment(cfg, {.out = dir.path() / "crashed", .progress = 0}), Error)
      << "an unfinished run needs --resume";
  train_experiment(cfg, {.out = dir.path() / "crashed", .resume = true, .progress = 0});
  nn::Checkpoint a = nn::read_checkpoint(dir.path() / "straight" / "checkpoint.h5");
  nn::Checkpoint b = nn::read_checkpoint(dir.path() / "crashed" / "checkpoint.h5");
  EXPECT_EQ(a.info.epoch, 3);
  EXPECT_EQ(b.info.step, a.info.step);
  ASSERT_EQ(a.model.size(), b.model.size());
  for (const auto& [name, tensor] : a.model) {
    const Tensor& other = b.model.at(name);
    ASSERT_EQ(tensor.shape(), other.shape()) << name;
    EXPECT_EQ(0, std::memcmp(tensor.raw_data(), other.raw_data(),
                             static_cast<size_t>(tensor.numel()) * dtype_size(tensor.dtype())))
        << name << " differs after resuming";
  }
}

TEST(Trainer, NanLossStopsWithTheStep) {
  test::TempDir dir;
  Config cfg = tiny({"train.optimizer={type=\"sgd\", lr=1e30}"});
  try {
    train_experiment(cfg, {.out = dir.path() / "run", .progress = 0});
    FAIL() << "a diverging run must stop";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("loss became"), std::string::npos) << m;
    EXPECT_NE(m.find("epoch 1 step"), std::string::npos) << m;
    EXPECT_NE(m.find("train.optimizer.lr"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "run" / "checkpoint.h5.tmp"));
}

TEST(ModelBuilder, ShapeMismatchNamesTheLayerAndBothShapes) {
  Config cfg = parse_config(
      "[model]\nlayers = [\n  {type = \"conv\", out = 4, kernel = 3, in = 3, name = \"conv1\"},\n"
      "  {type = \"gap\"},\n  {type = \"linear\", out = 2, name = \"fc\"},\n]\n",
      "bad.toml");
  Generator gen(0);
  try {
    build_model(cfg.layers(), cfg.blocks(), {1, 8, 8}, gen);
    FAIL();
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("bad.toml:3"), std::string::npos) << m;
    EXPECT_NE(m.find("conv1"), std::string::npos) << m;
    EXPECT_NE(m.find("3 input channels"), std::string::npos) << m;
    EXPECT_NE(m.find("[1, 8, 8]"), std::string::npos) << m;
  }
  Config flat = parse_config(
      "[model]\nlayers = [\n  {type = \"conv\", out = 4, kernel = 3},\n"
      "  {type = \"linear\", out = 2, name = \"fc\"},\n]\n",
      "flat.toml");
  EXPECT_THROW(build_model(flat.layers(), flat.blocks(), {1, 8, 8}, gen), Error);
}

TEST(ModelBuilder, NamesLayersAsTheConfigChecksExpect) {
  Config cfg = tiny();
  Generator gen(0);
  auto model = build_model(cfg.layers(), cfg.blocks(), {1, 16, 16}, gen);
  for (const char* name : {"conv1", "relu1", "maxpool1", "conv2", "relu2", "gap1", "fc"}) {
    EXPECT_NO_THROW(model->find(name)) << name;
  }
  EXPECT_EQ(layer_names(cfg.layers()).size(), 7u);
}

int run_cli(const std::string& args, std::string* err) {
  test::TempDir dir;
  std::string cmd = std::string(CAMLAB_BINARY_DIR) + "/camlab " + args + " 2> " +
                    (dir.path() / "err").string() + " > /dev/null";
  int status = std::system(cmd.c_str());
  std::ifstream in(dir.path() / "err");
  err->assign(std::istreambuf_iterator<char>(in), {});
  return WEXITSTATUS(status);
}

TEST(Cli, ExitCodesAndOneLineErrors) {
  if (!std::filesystem::exists(std::string(CAMLAB_BINARY_DIR) + "/camlab")) {
    GTEST_SKIP() << "the camlab binary is not built";
  }
  std::string err;
  EXPECT_EQ(run_cli("train " + kTiny + " --set train.optimiser.lr=1", &err), 2);
  EXPECT_NE(err.find("did you mean 'train.optimizer"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(run_cli("train /nonexistent.toml", &err), 2);
  EXPECT_EQ(run_cli("frobnicate", &err), 2);
  EXPECT_NE(err.find("valid verbs"), std::string::npos) << err;
  test::TempDir dir;
  EXPECT_EQ(run_cli("train " + kTiny + " --set data.dataset=\"hdf5\" --set data.path=\"" +
                        (dir.path() / "missing.h5").string() + "\" --out " +
                        (dir.path() / "run").string(),
                    &err),
            1);
  EXPECT_NE(err.find("missing.h5"), std::string::npos) << err;
  if (cuda::device_count() == 0) {  // asking for a GPU that is not there is a clear error
    EXPECT_EQ(
        run_cli("train " + kTiny + " --device cuda --out " + (dir.path() / "gpu").string(), &err),
        1);
    EXPECT_NE(err.find("no CUDA"), std::string::npos) << err;
  }
}

}  // namespace
}  // namespace camlab::experiments
