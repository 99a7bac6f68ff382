// Inference under NoGradGuard keeps nothing for backward: no node on the output, and every
// intermediate buffer of a conv net is back in the CPU allocator once forward returns (read from
// tensor/cpu_allocator.h's bytes-in-use counter), while the same forward with grad on holds its
// saved activations.
#include <gtest/gtest.h>

#include <memory>

#include "autograd/grad_mode.h"
#include "nn/nn.h"
#include "tensor/cpu_allocator.h"
#include "tensor/ops.h"

namespace camlab::nn {
namespace {

std::shared_ptr<Sequential> small_convnet(Generator& gen) {
  return std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
      std::make_shared<Conv2d>(1, 8, 3, Conv2dOptions{.padding = 1}, gen), std::make_shared<ReLU>(),
      std::make_shared<MaxPool2d>(2),
      std::make_shared<Conv2d>(8, 16, 3, Conv2dOptions{.padding = 1}, gen),
      std::make_shared<ReLU>(), std::make_shared<GlobalAvgPool>(),
      std::make_shared<Linear>(16, 10, true, gen)});
}

TEST(NoGradInference, ForwardSavesNothingForBackward) {
  Generator gen(0);
  auto net = small_convnet(gen);
  net->eval();
  Tensor x = ops::randn({32, 1, 28, 28}, gen);  // [N, 1, H, W]
  const size_t out_bytes = cpu::size_class(32 * 10 * sizeof(float));

  const size_t before = cpu::allocator_stats().bytes_in_use;
  Tensor y;
  {
    autograd::NoGradGuard guard;
    y = (*net)(x);  // [32, 10]
  }
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_FALSE(y.requires_grad());
  // Only the logits are alive: every activation went back when its last user finished.
  EXPECT_EQ(cpu::allocator_stats().bytes_in_use, before + out_bytes);

  Tensor y_grad = (*net)(x);  // grad on: the graph keeps saved activations alive
  ASSERT_NE(y_grad.grad_fn(), nullptr);
  EXPECT_GT(cpu::allocator_stats().bytes_in_use,
            before + 2 * out_bytes + size_t(32) * 8 * 28 * 28 * sizeof(float));
}

}  // namespace
}  // namespace camlab::nn
