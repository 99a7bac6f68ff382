// Learning-rate schedules. lr_at(e) is a pure function of the epoch (or step, when stepped per
// batch); step() advances the count and writes lr_at into the optimizer.
//
//   SGD sgd(params, {.lr = 0.1});
//   auto schedule = std::make_unique<CosineAnnealingLR>(sgd, /*t_max=*/90);
//   LinearWarmup warm(std::move(schedule), /*warmup=*/5);  // ramps into the cosine
//   for (int epoch = 0; epoch < 95; ++epoch) { train_one_epoch(); warm.step(); }
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nn/named_tensors.h"
#include "nn/optim/optimizer.h"

namespace camlab::nn {

class Scheduler {
 public:
  // Captures the optimizer's current lr as the base lr.
  explicit Scheduler(Optimizer& optimizer);
  virtual ~Scheduler() = default;

  virtual double lr_at(int64_t epoch) const = 0;
  virtual std::string str() const = 0;

  // epoch += 1 and the optimizer's lr becomes lr_at(epoch).
  void step();
  int64_t epoch() const { return epoch_; }
  double base_lr() const { return base_lr_; }
  Optimizer& optimizer() const { return optimizer_; }

  // "epoch" (int64) and "base_lr" (float64); loading also sets the optimizer's lr.
  NamedTensors state_dict() const;
  virtual void load_state_dict(const NamedTensors& state);

 protected:
  // Sets the optimizer's lr to lr_at(epoch()); subclasses call it at the end of their constructor.
  void apply();

 private:
  Optimizer& optimizer_;
  double base_lr_;
  int64_t epoch_ = 0;
};

// base · γ^⌊e / step_size⌋
class StepLR : public Scheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  double lr_at(int64_t epoch) const override;
  std::string str() const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// base · γ^(number of milestones ≤ e)
class MultiStepLR : public Scheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);
  double lr_at(int64_t epoch) const override;
  std::string str() const override;

 private:
  std::vector<int64_t> milestones_;  // sorted
  double gamma_;
};

// η_min + (base − η_min)·(1 + cos(π·e / T_max))/2 (Loshchilov & Hutter 2017, eq. 5 without
// restarts); held at η_min after T_max.
class CosineAnnealingLR : public Scheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0);
  double lr_at(int64_t epoch) const override;
  std::string str() const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

// Linear warmup in front of another schedule (Goyal et al. 2017): for e < W the lr ramps from
// start_factor·inner(0) to inner(0) as inner(0)·(f + (1 − f)·e/W); afterwards it is inner(e − W),
// so the inner schedule starts when warmup ends.
class LinearWarmup : public Scheduler {
 public:
  LinearWarmup(std::unique_ptr<Scheduler> inner, int64_t warmup, double start_factor = 0.1);
  double lr_at(int64_t epoch) const override;
  std::string str() const override;
  void load_state_dict(const NamedTensors& state) override;
  const Scheduler& inner() const { return *inner_; }

 private:
  std::unique_ptr<Scheduler> inner_;
  int64_t warmup_;
  double start_factor_;
};

}  // namespace camlab::nn
