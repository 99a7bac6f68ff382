#include "experiments/train/optimization.h"

#include "nn/optim/adam.h"
#include "nn/optim/sgd.h"

namespace camlab::experiments {
namespace {

std::unique_ptr<nn::Optimizer> make_optimizer(const Config& cfg, std::vector<Tensor> params) {
  std::string type = cfg.get_string("train.optimizer.type");
  double lr = cfg.get_double("train.optimizer.lr");
  double weight_decay = cfg.get_double("train.optimizer.weight_decay");
  if (type == "sgd") {
    return std::make_unique<nn::SGD>(
        std::move(params), nn::SGDOptions{.lr = lr,
                                          .momentum = cfg.get_double("train.optimizer.momentum"),
                                          .weight_decay = weight_decay,
                                          .nesterov = cfg.get_bool("train.optimizer.nesterov")});
  }
  std::vector<double> betas = cfg.get_doubles("train.optimizer.betas");
  nn::AdamOptions options{.lr = lr,
                          .betas = {betas.at(0), betas.at(1)},
                          .eps = cfg.get_double("train.optimizer.eps"),
                          .weight_decay = weight_decay};
  if (type == "adamw") return std::make_unique<nn::AdamW>(std::move(params), options);
  return std::make_unique<nn::Adam>(std::move(params), options);
}

// The schedule after warm-up, over the epochs that remain.
std::unique_ptr<nn::Scheduler> make_main_schedule(const Config& cfg, nn::Optimizer& optimizer,
                                                  int64_t epochs) {
  std::string type = cfg.get_string("train.schedule.type");
  double gamma = cfg.get_double("train.schedule.gamma");
  if (type == "step") {
    return std::make_unique<nn::StepLR>(optimizer, cfg.get_int("train.schedule.step_size"), gamma);
  }
  if (type == "multistep") {
    return std::make_unique<nn::MultiStepLR>(optimizer, cfg.get_ints("train.schedule.milestones"),
                                             gamma);
  }
  if (type == "cosine") {
    return std::make_unique<nn::CosineAnnealingLR>(optimizer, std::max<int64_t>(epochs, 1),
                                                   cfg.get_double("train.schedule.min_lr"));
  }
  // "none": a multistep schedule without milestones keeps the base rate.
  return std::make_unique<nn::MultiStepLR>(optimizer, std::vector<int64_t>{}, 1.0);
}

}  // namespace

Optimization make_optimization(const Config& cfg, std::vector<Tensor> parameters) {
  Optimization opt;
  opt.optimizer = make_optimizer(cfg, std::move(parameters));
  int64_t epochs = cfg.get_int("train.epochs");
  int64_t warmup = cfg.get_int("train.schedule.warmup_epochs");
  auto main = make_main_schedule(cfg, *opt.optimizer, epochs - warmup);
  opt.scheduler =
      warmup > 0 ? std::make_unique<nn::LinearWarmup>(std::move(main), warmup) : std::move(main);
  return opt;
}

}  // namespace camlab::experiments
