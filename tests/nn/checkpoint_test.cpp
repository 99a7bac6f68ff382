// Checkpoints: the HDF5 layout of docs/formats.md, round trips, validation errors and atomic
// writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"
#include "tests/nn/tiny_net.h"
#include "tests/support/fixture.h"

namespace camlab::nn {
namespace {

namespace fs = std::filesystem;
using test::TinyNet;
using test::values;

// A fresh directory per test under the system temp dir, removed afterwards.
class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("camlab_nn_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path file(const std::string& name) const { return dir_ / name; }

  fs::path dir_;
};

// One training step so that BN statistics, the counter and Adam's state are all non-trivial.
void train_one_step(TinyNet& net, Optimizer& opt, Generator& gen) {
  Tensor x = ops::randn({4, 1, 6, 6}, gen);
  Tensor y = ops::randint(0, 3, {4}, gen);
  Tensor loss = camlab::cross_entropy(net(x), y);
  net.zero_grad();
  camlab::backward(loss);
  opt.step();
}

TEST_F(CheckpointTest, RoundTripRestoresModelOptimizerSchedulerAndInfo) {
  Generator gen(0);
  TinyNet net(gen);
  Adam adam(net.parameters(), {.lr = 0.01});
  StepLR schedule(adam, 1, 0.5);
  train_one_step(net, adam, gen);
  schedule.step();
  const fs::path path = file("checkpoint.h5");
  const CheckpointInfo info{.config = "[train]\nepochs = 3\n",
                            .epoch = 1,
                            .step = 17,
                            .extra = {{"best_accuracy", 0.875}}};
  save_checkpoint(path, net, &adam, &schedule, info);
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(file("checkpoint.h5.tmp")));

  Generator other(1);
  TinyNet restored(other);
  Adam restored_adam(restored.parameters(), {.lr = 0.5});
  StepLR restored_schedule(restored_adam, 1, 0.5);
  const CheckpointInfo back = load_checkpoint(path, restored, &restored_adam, &restored_schedule);
  EXPECT_EQ(back.config, info.config);
  EXPECT_EQ(back.epoch, 1);
  EXPECT_EQ(back.step, 17);
  EXPECT_EQ(back.extra, info.extra);
  for (const auto& [name, tensor] : net.state_dict()) {
    EXPECT_EQ(values(restored.state_dict().at(name)), values(tensor)) << name;
  }
  EXPECT_EQ(restored.find_as<BatchNorm2d>("features.1").num_batches_tracked.item(), 1.0);
  EXPECT_DOUBLE_EQ(restored_adam.lr(), 0.005);
  EXPECT_EQ(restored_schedule.epoch(), 1);
  const NamedTensors saved_state = adam.state_dict(), loaded_state = restored_adam.state_dict();
  EXPECT_EQ(loaded_state.keys(), saved_state.keys());
  for (const auto& [name, tensor] : saved_state) {
    EXPECT_EQ(values(loaded_state.at(name)), values(tensor)) << name;
  }
}

TEST_F(CheckpointTest, FileLayoutIsDesignMd) {
  Generator gen(0);
  TinyNet net(gen);
  SGD sgd(net.parameters(), {.lr = 0.1, .momentum = 0.9});
  train_one_step(net, sgd, gen);
  const fs::path path = file("layout.h5");
  save_checkpoint(path, net, &sgd, nullptr, {.config = "x = 1", .epoch = 2, .step = 9});
  // Read back with the independent fixture reader.
  camlab::test::Fixture f(path.string());
  EXPECT_EQ(f.text("/", "format"), "camlab-checkpoint");
  EXPECT_EQ(f.ints("/", "version"), (std::vector<int64_t>{1}));
  EXPECT_EQ(f.text("/", "config"), "x = 1");
  EXPECT_EQ(f.ints("/", "epoch"), (std::vector<int64_t>{2}));
  EXPECT_EQ(f.ints("/", "step"), (std::vector<int64_t>{9}));
  EXPECT_EQ(f.cases(), (std::vector<std::string>{"model", "optimizer"}));
  const auto weight = f.array("model/features.0.weight");
  EXPECT_EQ(weight.shape, (std::vector<int64_t>{4, 1, 3, 3}));
  EXPECT_EQ(weight.values, values(net.features->find_as<Conv2d>("0").weight));
  EXPECT_EQ(f.array("model/fc.weight").shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(f.array("model/features.1.num_batches_tracked").values, (std::vector<double>{1}));
  EXPECT_TRUE(f.has("optimizer/0.momentum_buffer"));
  const Checkpoint raw = read_checkpoint(path);
  EXPECT_EQ(raw.model.at("features.0.weight").dtype(), DType::Float32);
  EXPECT_EQ(raw.model.at("features.1.num_batches_tracked").dtype(), DType::Int64);
  EXPECT_EQ(raw.model.keys(), net.state_dict().keys());  // creation order kept
  EXPECT_EQ(raw.optimizer.at("lr").dtype(), DType::Float64);
}

TEST_F(CheckpointTest, ShapeMismatchAndMissingKeysNameTheFileAndKey) {
  Generator gen(0);
  Sequential small, big;
  small.add("fc", std::make_shared<Linear>(4, 3, true, gen));
  big.add("fc", std::make_shared<Linear>(5, 3, true, gen));
  const fs::path path = file("small.h5");
  save_checkpoint(path, small, nullptr, nullptr, {});
  EXPECT_ERROR_CONTAINS(load_checkpoint(path, big), path.string(), "'fc.weight'", "[3, 5]",
                        "[3, 4]");
  Sequential renamed;
  renamed.add("head", std::make_shared<Linear>(4, 3, true, gen));
  EXPECT_ERROR_CONTAINS(load_checkpoint(path, renamed), "missing keys: head.weight, head.bias",
                        "unexpected keys: fc.weight, fc.bias");
  SGD sgd(small.parameters(), {.lr = 0.1});
  EXPECT_ERROR_CONTAINS(load_checkpoint(path, small, &sgd), path.string(), "no optimizer state");
}

TEST_F(CheckpointTest, CorruptTruncatedAndForeignFilesGiveOneClearLine) {
  Generator gen(0);
  TinyNet net(gen);
  EXPECT_ERROR_CONTAINS(read_checkpoint(file("absent.h5")), "absent.h5", "no such file");

  const fs::path garbage = file("garbage.h5");
  std::ofstream(garbage) << "this is not HDF5";
  EXPECT_ERROR_CONTAINS(read_checkpoint(garbage), "garbage.h5", "corrupt or truncated");

  const fs::path good = file("good.h5");
  save_checkpoint(good, net, nullptr, nullptr, {});
  const fs::path truncated = file("truncated.h5");
  fs::copy_file(good, truncated);
  fs::resize_file(truncated, fs::file_size(good) / 2);
  EXPECT_ERROR_CONTAINS(load_checkpoint(truncated, net), "truncated.h5", "corrupt or truncated");

  // A valid HDF5 file that is not a checkpoint (a PyTorch fixture).
  const fs::path foreign = fs::path(CAMLAB_FIXTURE_DIR) / "softmax.h5";
  EXPECT_ERROR_CONTAINS(read_checkpoint(foreign), "softmax.h5", "not a camlab checkpoint",
                        "camlab-checkpoint");
}

TEST_F(CheckpointTest, AFailedWriteLeavesNoFileAndKeepsTheOldOne) {
  Generator gen(0);
  TinyNet net(gen);
  const fs::path path = file("checkpoint.h5");
  Checkpoint broken{.info = {.epoch = 5}, .model = net.state_dict()};
  broken.model.insert("zz.undefined", Tensor());  // written last: the failure comes midway
  EXPECT_ERROR_CONTAINS(save_checkpoint(path, broken), "checkpoint.h5", "'zz.undefined'",
                        "undefined");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(file("checkpoint.h5.tmp")));

  save_checkpoint(path, net, nullptr, nullptr, {.epoch = 1});
  EXPECT_ERROR_CONTAINS(save_checkpoint(path, broken), "'zz.undefined'");
  EXPECT_EQ(read_checkpoint(path).info.epoch, 1);  // the previous checkpoint is intact
  EXPECT_FALSE(fs::exists(file("checkpoint.h5.tmp")));

  Checkpoint reserved{.info = {.extra = {{"epoch", 1.0}}}};
  EXPECT_ERROR_CONTAINS(save_checkpoint(file("r.h5"), reserved), "'epoch'", "reserved");
  EXPECT_ERROR_CONTAINS(save_checkpoint(dir_ / "no_such_dir" / "c.h5", Checkpoint{}), "create",
                        "c.h5.tmp: No such file or directory", "folder exists");
}

}  // namespace
}  // namespace camlab::nn
