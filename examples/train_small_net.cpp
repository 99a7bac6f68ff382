// Train a small convnet with camlab's API directly — no config file, no CLI — then measure it and
// save a checkpoint that `camlab eval`/`explain` and tools/camlab_to_torch.py can read.
//
//   build/examples/train_small_net [steps=200] [checkpoint.h5]
#include <cstdio>
#include <string>

#include <camlab/camlab.h>  // the umbrella: every public header

#include "small_net.h"

int main(int argc, char** argv) {
  using namespace camlab;
  const int64_t steps = argc > 1 ? std::stoll(argv[1]) : 200;
  Generator gen(0);
  auto net = examples::small_net(gen);
  const examples::TrainLog log = examples::train_on_shapes(*net, steps);

  // Accuracy on shapes the net has not seen (another seed).
  datasets::DataLoader test(datasets::make_shapes({.n = 256, .size = 16, .seed = 2}),
                            {.batch_size = 256, .shuffle = false, .prefetch = 0});
  datasets::Batch batch = test.batch(0, 0);
  Tensor predicted = ops::argmax((*net)(batch.images), 1);  // [256]
  int64_t correct = 0;
  for (int64_t i = 0; i < predicted.size(0); ++i) {
    correct += predicted.at<int64_t>({i}) == batch.labels.at<int64_t>({i});
  }
  std::printf("loss %.4f -> %.4f, test accuracy %.1f%% (chance 25%%)\n", log.first_loss,
              log.last_loss, 100.0 * static_cast<double>(correct) / 256.0);
  if (argc > 2) {
    nn::save_checkpoint(argv[2], *net, nullptr, nullptr, {.epoch = 0, .step = steps});
    std::printf("wrote %s\n", argv[2]);
  }
  return log.last_loss < log.first_loss ? 0 : 1;  // CTest: training must make progress
}
