// The optimizer and learning-rate schedule a config's [train] table describes.
//
//   Optimization opt = make_optimization(cfg, model->parameters());
//   ... camlab::backward(loss); opt.optimizer->step();      // per batch
//   opt.scheduler->step();                                  // per epoch
#pragma once

#include <memory>
#include <vector>

#include "experiments/config/config.h"
#include "nn/optim/optimizer.h"
#include "nn/optim/scheduler.h"

namespace camlab::experiments {

struct Optimization {
  std::unique_ptr<nn::Optimizer> optimizer;
  std::unique_ptr<nn::Scheduler> scheduler;  // stepped once per epoch; never null
};

Optimization make_optimization(const Config& cfg, std::vector<Tensor> parameters);

}  // namespace camlab::experiments
