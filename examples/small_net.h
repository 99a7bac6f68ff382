// The small GAP convnet the examples share, and a few steps of training on generated shapes.
// Header-only so each example stays one file to compile (also against an installed camlab).
//
//   camlab::Generator gen(0);
//   auto net = small_net(gen);                      // conv1 relu1 maxpool1 conv2 relu2 gap1 fc
//   TrainLog log = train_on_shapes(*net, 60);       // Adam, batches of 32 shapes
//   std::printf("loss %.3f -> %.3f\n", log.first_loss, log.last_loss);
#pragma once

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <camlab/datasets/data_loader.h>
#include <camlab/datasets/shapes.h>
#include <camlab/nn/nn.h>

namespace examples {

using namespace camlab;

// Four classes (circle, square, triangle, cross) on 16x16 images: [N, 1, 16, 16] -> [N, 4].
// GAP then linear is the shape CAM needs (Zhou et al. 2016).
inline std::shared_ptr<nn::Sequential> small_net(Generator& gen) {
  using M = std::shared_ptr<nn::Module>;
  return std::make_shared<nn::Sequential>(std::vector<std::pair<std::string, M>>{
      {"conv1", std::make_shared<nn::Conv2d>(1, 8, 3, nn::Conv2dOptions{.padding = 1}, gen)},
      {"relu1", std::make_shared<nn::ReLU>()},
      {"maxpool1", std::make_shared<nn::MaxPool2d>(2)},
      {"conv2", std::make_shared<nn::Conv2d>(8, 16, 3, nn::Conv2dOptions{.padding = 1}, gen)},
      {"relu2", std::make_shared<nn::ReLU>()},
      {"gap1", std::make_shared<nn::GlobalAvgPool>()},
      {"fc", std::make_shared<nn::Linear>(16, 4, true, gen)}});
}

struct TrainLog {
  double first_loss = 0;  // mean of the first 10 steps' losses
  double last_loss = 0;   // mean of the last 10 steps' losses
};

// `steps` Adam steps on batches of 32 generated shapes; prints the loss every 20 steps.
inline TrainLog train_on_shapes(nn::Sequential& net, int64_t steps) {
  datasets::DataLoader loader(datasets::make_shapes({.n = 512, .size = 16, .seed = 1}),
                              {.batch_size = 32, .seed = 0, .prefetch = 0});
  nn::Adam adam(net.parameters(), {.lr = 0.02});
  net.train();
  std::vector<double> losses;
  for (int64_t step = 0, epoch = 0; step < steps; ++epoch) {
    loader.start_epoch(epoch);
    while (step < steps) {
      std::optional<datasets::Batch> batch = loader.next();
      if (!batch) break;
      Tensor loss = cross_entropy(net(batch->images), batch->labels);
      adam.zero_grad();
      backward(loss);
      adam.step();
      const double value = loss.item();
      losses.push_back(value);
      if (++step % 20 == 0)
        std::printf("step %3lld  loss %.4f\n", static_cast<long long>(step), value);
    }
  }
  net.eval();
  const size_t window = std::min<size_t>(10, losses.size());
  TrainLog log;
  for (size_t i = 0; i < window; ++i) {
    log.first_loss += losses[i] / static_cast<double>(window);
    log.last_loss += losses[losses.size() - window + i] / static_cast<double>(window);
  }
  return log;
}

}  // namespace examples
