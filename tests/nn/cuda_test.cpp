// nn on a GPU: moving a model, training a step, checkpointing from device memory. Skipped where
// the CUDA backend or a GPU is missing.
#include <gtest/gtest.h>

#include <filesystem>

#include "nn/nn.h"
#include "tensor/cuda/device.h"
#include "tests/nn/nn_test_util.h"
#include "tests/nn/tiny_net.h"

namespace camlab::nn {
namespace {

TEST(NnCuda, ModelTrainsAndCheckpointsOnTheGpu) {
  if (!cuda::backend_built() || cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device";
  Generator gen(0);
  test::TinyNet cpu_net(gen), gpu_net(gen);
  gpu_net.load_state_dict(cpu_net.state_dict());
  gpu_net.to(Device::cuda());
  for (const auto& [name, t] : gpu_net.state_dict()) {
    EXPECT_TRUE(t.device().is_cuda()) << name;
  }
  EXPECT_TRUE(gpu_net.fc->weight.requires_grad());

  Tensor x = ops::randn({4, 1, 6, 6}, gen);
  Tensor y = Tensor::from_vector<int64_t>({0, 2, 1, 2}, {4});
  auto step = [](Module& net, Optimizer& opt, const Tensor& input, const Tensor& target) {
    Tensor loss = CrossEntropyLoss()(net(input), target);
    opt.zero_grad();
    camlab::backward(loss);
    opt.step();
    return loss.to(Device::cpu()).item();
  };
  SGD cpu_sgd(cpu_net.parameters(), {.lr = 0.1, .momentum = 0.9});
  SGD gpu_sgd(gpu_net.parameters(), {.lr = 0.1, .momentum = 0.9});
  const double cpu_loss = step(cpu_net, cpu_sgd, x, y);
  const double gpu_loss = step(gpu_net, gpu_sgd, x.to(Device::cuda()), y.to(Device::cuda()));
  EXPECT_NEAR(gpu_loss, cpu_loss, 1e-5);
  for (const auto& [name, t] : cpu_net.state_dict()) {
    EXPECT_LT(test::max_abs_diff(gpu_net.state_dict().at(name), t), 1e-5) << name;
  }

  const auto path = std::filesystem::temp_directory_path() / "camlab_nn_cuda_checkpoint.h5";
  save_checkpoint(path, gpu_net, &gpu_sgd, nullptr, {.epoch = 1});
  test::TinyNet restored(gen);
  restored.to(Device::cuda());
  SGD restored_sgd(restored.parameters(), {.lr = 0.1, .momentum = 0.9});
  load_checkpoint(path, restored, &restored_sgd);
  std::filesystem::remove(path);
  EXPECT_EQ(test::max_abs_diff(restored.fc->weight, gpu_net.fc->weight), 0.0);
  EXPECT_TRUE(restored.fc->weight.device().is_cuda());
  EXPECT_TRUE(restored_sgd.state_dict().at("0.momentum_buffer").device().is_cuda());
}

}  // namespace
}  // namespace camlab::nn
