#include "experiments/train/train_epoch.h"

#include <array>
#include <chrono>
#include <cmath>
#include <optional>

#include "autograd/ops.h"
#include "datasets/device_batches.h"
#include "experiments/run/progress.h"

namespace camlab::experiments {
namespace {

using Clock = std::chrono::steady_clock;

// Dropout masks depend on the global step only, so a resumed run draws the same ones.
void reseed_dropout(TrainingSession& s) {
  for (size_t i = 0; i < s.dropouts.size(); ++i) {
    s.dropouts[i]->generator().set_state(s.seed * 1000003 + i, static_cast<uint64_t>(s.global_step)
                                                                   << 24);
  }
}

[[noreturn]] void report_nan(TrainingSession& s, int64_t epoch, int64_t step, double loss) {
  std::string kept =
      std::filesystem::exists(s.run.file("checkpoint.h5"))
          ? fmt::format("the last good checkpoint is {}", s.run.file("checkpoint.h5").string())
          : std::string("no checkpoint was written yet");
  std::string message = fmt::format(
      "training stopped: the loss became {} at epoch {} step {} (global step {}); {}. Lower "
      "train.optimizer.lr ({}) or set train.clip_grad_norm",
      loss, epoch + 1, step + 1, s.global_step, kept, s.opt.optimizer->lr());
  s.log.write("error: ", message);
  fail("{}", message);
}

// Running sums over the epoch's batches.
struct EpochTally {
  double loss_sum = 0;  // Σ batch loss × batch size
  int64_t correct = 0, predictions = 0, images = 0;

  // Every rank's sums: the epoch's figures over the whole (sharded) training set.
  void reduce(distributed::Communicator& comm) {
    std::array<double, 4> sums = {loss_sum, static_cast<double>(correct),
                                  static_cast<double>(predictions), static_cast<double>(images)};
    comm.allreduce_sum(sums);
    loss_sum = sums[0];
    correct = static_cast<int64_t>(sums[1]);
    predictions = static_cast<int64_t>(sums[2]);
    images = static_cast<int64_t>(sums[3]);
  }

  EpochStats stats(double seconds) const {
    EpochStats s;
    s.seconds = seconds;
    s.loss = loss_sum / static_cast<double>(std::max<int64_t>(images, 1));
    s.accuracy =
        static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(predictions, 1));
    s.images_per_second = static_cast<double>(images) / std::max(seconds, 1e-9);
    return s;
  }
};

// One optimizer step on one batch; returns the batch's loss.
double train_step(TrainingSession& s, const Tensor& x, const Tensor& y, Tensor& logits) {
  reseed_dropout(s);
  logits = (*s.model)(x);  // [B, K]
  Tensor loss = s.objective.loss(logits, y);
  const double value = loss.item();
  if (!std::isfinite(value)) return value;
  s.opt.optimizer->zero_grad();
  backward(loss);  // with several ranks, gradient buckets start their all-reduce during this
  if (s.data_parallel) s.data_parallel->synchronize_gradients();  // mean over the ranks
  const double clip = s.cfg.get_double("train.clip_grad_norm");
  if (clip > 0) nn::clip_grad_norm_(s.opt.optimizer->params(), clip);
  s.opt.optimizer->step();
  ++s.global_step;
  return value;
}

}  // namespace

EpochStats train_epoch(TrainingSession& s, datasets::DataLoader& loader, int64_t epoch) {
  // Rank 0 alone draws progress; its images/s counts its own shard.
  std::optional<ProgressBar> bar;
  if (s.is_main()) {
    bar.emplace(epoch + 1, s.cfg.get_int("train.epochs"), loader.num_batches(),
                ProgressOptions{.terminal = s.options.progress,
                                .plain_every = s.cfg.get_int("train.log_every")});
  }
  s.model->train();
  loader.start_epoch(epoch);
  datasets::DeviceBatches batches(loader, s.device);  // on a GPU the next copy overlaps this step
  EpochTally tally;
  const auto start = Clock::now();
  while (std::optional<datasets::Batch> batch = batches.next()) {
    const Tensor& x = batch->images;  // [B, C, H, W] on s.device
    const Tensor& y = batch->labels;  // [B] int64 or [B, K]
    Tensor logits;                    // [B, K]
    const double loss = train_step(s, x, y, logits);
    if (!std::isfinite(loss)) report_nan(s, epoch, batch->index, loss);
    const int64_t n = x.size(0);
    tally.loss_sum += loss * static_cast<double>(n);
    tally.correct += s.objective.correct(logits, y);
    tally.predictions += s.objective.predictions(logits);
    tally.images += n;
    if (bar) bar->update(batch->index + 1, loss, n);
    if (s.options.interrupt_after_steps > 0 && s.global_step >= s.options.interrupt_after_steps) {
      throw TrainingInterrupted(fmt::format("interrupted after {} steps", s.global_step));
    }
  }
  if (bar) bar->finish();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (s.data_parallel) {
    const double waited = s.data_parallel->take_sync_seconds();
    s.log.info("data parallel: {:.2f} s of the epoch's {:.2f} s waiting for gradients ({:.1f}%)",
               waited, seconds, 100 * waited / std::max(seconds, 1e-9));
  }
  if (s.comm->size() > 1) tally.reduce(*s.comm);
  return tally.stats(seconds);
}

}  // namespace camlab::experiments
