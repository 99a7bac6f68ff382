// Learning-rate schedules: lr sequences through step(), the pure lr_at, and resume.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "nn/nn.h"
#include "tests/nn/nn_test_util.h"

namespace camlab::nn {
namespace {

// lr after construction, then after each of `steps` calls to step().
std::vector<double> sequence(Scheduler& schedule, int steps) {
  std::vector<double> lrs{schedule.optimizer().lr()};
  for (int i = 0; i < steps; ++i) {
    schedule.step();
    lrs.push_back(schedule.optimizer().lr());
    EXPECT_DOUBLE_EQ(lrs.back(), schedule.lr_at(schedule.epoch()));
  }
  return lrs;
}

void expect_sequence(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "epoch " << i;
}

Tensor parameter() { return ops::zeros({2}).set_requires_grad(true); }

TEST(Scheduler, StepLR) {
  SGD sgd({parameter()}, {.lr = 1.0});
  StepLR schedule(sgd, 2, 0.5);
  expect_sequence(sequence(schedule, 5), {1, 1, 0.5, 0.5, 0.25, 0.25});
}

TEST(Scheduler, MultiStepLR) {
  SGD sgd({parameter()}, {.lr = 1.0});
  MultiStepLR schedule(sgd, {5, 2}, 0.1);  // unsorted milestones are fine
  expect_sequence(sequence(schedule, 6), {1, 1, 0.1, 0.1, 0.1, 0.01, 0.01});
}

TEST(Scheduler, CosineAnnealingLR) {
  SGD sgd({parameter()}, {.lr = 1.0});
  CosineAnnealingLR schedule(sgd, 4, 0.1);
  std::vector<double> want;
  for (int e = 0; e <= 4; ++e)
    want.push_back(0.1 + 0.9 * (1 + std::cos(std::numbers::pi * e / 4)) / 2);
  want.push_back(0.1);  // held at eta_min after T_max
  expect_sequence(sequence(schedule, 5), want);
  EXPECT_NEAR(schedule.lr_at(2), 0.55, 1e-12);
}

TEST(Scheduler, LinearWarmupRampsIntoTheInnerSchedule) {
  SGD sgd({parameter()}, {.lr = 1.0});
  LinearWarmup schedule(std::make_unique<StepLR>(sgd, 2, 0.5), 4, 0.2);
  // warmup: 1·(0.2 + 0.8·e/4); then StepLR from its epoch 0.
  expect_sequence(sequence(schedule, 7), {0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 0.5, 0.5});
  EXPECT_NE(schedule.str().find("StepLR"), std::string::npos);
}

TEST(Scheduler, StateResumesTheSchedule) {
  SGD sgd({parameter()}, {.lr = 0.4});
  auto make = [](Optimizer& opt) {
    return LinearWarmup(std::make_unique<CosineAnnealingLR>(opt, 10), 2);
  };
  LinearWarmup schedule = make(sgd);
  for (int i = 0; i < 5; ++i) schedule.step();
  const NamedTensors state = schedule.state_dict();

  SGD fresh({parameter()}, {.lr = 0.4});
  fresh.set_lr(0.0123);  // e.g. restored from an optimizer checkpoint mid-schedule
  LinearWarmup resumed = make(fresh);
  resumed.load_state_dict(state);
  EXPECT_EQ(resumed.epoch(), 5);
  EXPECT_DOUBLE_EQ(fresh.lr(), sgd.lr());
  schedule.step();
  resumed.step();
  EXPECT_DOUBLE_EQ(fresh.lr(), sgd.lr());
  EXPECT_ERROR_CONTAINS(StepLR(sgd, 0), "StepLR", "step_size");
}

}  // namespace
}  // namespace camlab::nn
