#include "nn/optim/scheduler.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tensor/ops.h"

namespace camlab::nn {
namespace {

Optimizer& optimizer_of(const std::unique_ptr<Scheduler>& inner) {
  CAMLAB_CHECK(inner != nullptr, "LinearWarmup: the inner schedule is null");
  return inner->optimizer();
}

}  // namespace

Scheduler::Scheduler(Optimizer& optimizer) : optimizer_(optimizer), base_lr_(optimizer.lr()) {}

void Scheduler::step() {
  ++epoch_;
  apply();
}

void Scheduler::apply() { optimizer_.set_lr(lr_at(epoch_)); }

NamedTensors Scheduler::state_dict() const {
  NamedTensors out;
  out.insert("epoch", ops::scalar(static_cast<double>(epoch_), DType::Int64));
  out.insert("base_lr", ops::scalar(base_lr_, DType::Float64));
  return out;
}

void Scheduler::load_state_dict(const NamedTensors& state) {
  const Tensor& epoch = state.at("epoch", "scheduler state");
  const Tensor& base_lr = state.at("base_lr", "scheduler state");
  epoch_ = static_cast<int64_t>(epoch.to(Device::cpu()).item());
  base_lr_ = base_lr.to(Device::cpu()).item();
  apply();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : Scheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  CAMLAB_CHECK(step_size > 0, "StepLR: step_size must be positive, got {}", step_size);
  apply();
}

double StepLR::lr_at(int64_t epoch) const {
  return base_lr() * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

std::string StepLR::str() const {
  return fmt::format("StepLR(step_size={}, gamma={})", step_size_, gamma_);
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : Scheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  std::sort(milestones_.begin(), milestones_.end());
  apply();
}

double MultiStepLR::lr_at(int64_t epoch) const {
  const auto passed =
      std::upper_bound(milestones_.begin(), milestones_.end(), epoch) - milestones_.begin();
  return base_lr() * std::pow(gamma_, static_cast<double>(passed));
}

std::string MultiStepLR::str() const {
  return fmt::format("MultiStepLR(milestones=[{}], gamma={})", fmt::join(milestones_, ", "),
                     gamma_);
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : Scheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
  CAMLAB_CHECK(t_max > 0, "CosineAnnealingLR: t_max must be positive, got {}", t_max);
  apply();
}

double CosineAnnealingLR::lr_at(int64_t epoch) const {
  const double progress =
      static_cast<double>(std::clamp<int64_t>(epoch, 0, t_max_)) / static_cast<double>(t_max_);
  return eta_min_ + (base_lr() - eta_min_) * (1 + std::cos(std::numbers::pi * progress)) / 2;
}

std::string CosineAnnealingLR::str() const {
  return fmt::format("CosineAnnealingLR(T_max={}, eta_min={})", t_max_, eta_min_);
}

LinearWarmup::LinearWarmup(std::unique_ptr<Scheduler> inner, int64_t warmup, double start_factor)
    : Scheduler(optimizer_of(inner)),
      inner_(std::move(inner)),
      warmup_(warmup),
      start_factor_(start_factor) {
  CAMLAB_CHECK(warmup >= 0, "LinearWarmup: warmup must be non-negative, got {}", warmup);
  CAMLAB_CHECK(start_factor >= 0 && start_factor <= 1,
               "LinearWarmup: start_factor must be within [0, 1], got {}", start_factor);
  apply();
}

double LinearWarmup::lr_at(int64_t epoch) const {
  if (epoch >= warmup_) return inner_->lr_at(epoch - warmup_);
  const double fraction = static_cast<double>(epoch) / static_cast<double>(warmup_);
  return inner_->lr_at(0) * (start_factor_ + (1 - start_factor_) * fraction);
}

void LinearWarmup::load_state_dict(const NamedTensors& state) {
  inner_->load_state_dict(state);  // the inner base lr: lr_at reads it
  Scheduler::load_state_dict(state);
}

std::string LinearWarmup::str() const {
  return fmt::format("LinearWarmup(warmup={}, start_factor={}, then {})", warmup_, start_factor_,
                     inner_->str());
}

}  // namespace camlab::nn
