#include "experiments/train/trainer.h"

#include <cmath>

#include "datasets/data_loader.h"
#include "experiments/run/metrics_csv.h"
#include "experiments/train/evaluate.h"
#include "experiments/train/train_epoch.h"
#include "experiments/train/training_report.h"
#include "experiments/train/training_session.h"
#include "nn/checkpoint.h"

namespace camlab::experiments {
namespace {

struct Loaders {
  datasets::DataLoader train;
  datasets::DataLoader test;
};

// data.batch_size for training (shuffled from the seed), data.eval_batch_size (or the same) for
// the test set in order.
Loaders make_loaders(const TrainingSession& s) {
  const int64_t batch_size = s.cfg.get_int("data.batch_size");
  const int64_t eval_batch = s.cfg.get_int("data.eval_batch_size") > 0
                                 ? s.cfg.get_int("data.eval_batch_size")
                                 : batch_size;
  return {datasets::DataLoader(s.data.train,
                               {.batch_size = batch_size,
                                .shuffle = s.cfg.get_bool("data.shuffle"),
                                .seed = s.seed,
                                .prefetch = s.cfg.get_int("data.workers") > 0 ? 2 : 0,
                                .pin_memory = s.device.is_cuda()},
                               s.data.train_pipeline),
          datasets::DataLoader(s.data.test,
                               {.batch_size = eval_batch,
                                .shuffle = false,
                                .seed = s.seed,
                                .pin_memory = s.device.is_cuda()},
                               s.data.eval_pipeline)};
}

// After an epoch: its row of metrics.csv, its log line, best.h5 when the test accuracy improved
// and checkpoint.h5 every train.checkpoint_every epochs and after the last.
void record_epoch(TrainingSession& s, MetricsCsv& csv, int64_t epoch, const EpochStats& stats,
                  double lr, const Evaluation* eval) {
  const int64_t epochs = s.cfg.get_int("train.epochs");
  const double test_loss = eval ? eval->loss : NAN;
  const double test_accuracy = eval ? eval->accuracy : NAN;
  csv.append({{"epoch", static_cast<double>(epoch + 1)},
              {"train_loss", stats.loss},
              {"train_accuracy", stats.accuracy},
              {"test_loss", test_loss},
              {"test_accuracy", test_accuracy},
              {"lr", lr},
              {"images_per_second", stats.images_per_second},
              {"seconds", stats.seconds}});
  s.log.info(
      "epoch {}/{} train loss {:.4f} acc {:.2f}% | test loss {:.4f} acc {:.2f}% | lr "
      "{:.4g} | {:.0f} img/s",
      epoch + 1, epochs, stats.loss, 100 * stats.accuracy, test_loss, 100 * test_accuracy, lr,
      stats.images_per_second);
  if (eval && test_accuracy > s.best_accuracy) {
    s.best_accuracy = test_accuracy;
    s.best_epoch = epoch + 1;
    nn::save_checkpoint(s.run.file("best.h5"), *s.model, nullptr, nullptr,
                        checkpoint_info(s, epoch + 1));
  }
  const int64_t every = s.cfg.get_int("train.checkpoint_every");
  if ((every > 0 && (epoch + 1) % every == 0) || epoch + 1 == epochs) {
    nn::save_checkpoint(s.run.file("checkpoint.h5"), *s.model, s.opt.optimizer.get(),
                        s.opt.scheduler.get(), checkpoint_info(s, epoch + 1));
  }
}

}  // namespace

TrainResult train_experiment(const Config& cfg, const TrainOptions& options) {
  TrainingSession s(cfg, options);
  const int64_t start_epoch = restore_checkpoint(s);
  MetricsCsv csv =
      s.run.resumed()
          ? MetricsCsv::resume(s.run.file("metrics.csv"), metrics_columns(), start_epoch)
          : MetricsCsv::create(s.run.file("metrics.csv"), metrics_columns());
  Loaders loaders = make_loaders(s);

  const int64_t epochs = cfg.get_int("train.epochs");
  const int64_t eval_every = cfg.get_int("train.eval_every");
  double images_per_second_sum = 0;
  Evaluation last_eval;
  for (int64_t epoch = start_epoch; epoch < epochs; ++epoch) {
    const double lr = s.opt.optimizer->lr();
    const EpochStats stats = train_epoch(s, loaders.train, epoch);
    const bool evaluated = (epoch + 1) % eval_every == 0 || epoch + 1 == epochs;
    if (evaluated) last_eval = evaluate(*s.model, loaders.test, s.objective, s.device);
    s.opt.scheduler->step();
    record_epoch(s, csv, epoch, stats, lr, evaluated ? &last_eval : nullptr);
    images_per_second_sum += stats.images_per_second;
  }
  // A run resumed after its last epoch still reports its test figures.
  if (!last_eval.confusion.defined() && last_eval.images == 0) {
    last_eval = evaluate(*s.model, loaders.test, s.objective, s.device);
  }

  const int64_t trained = epochs - start_epoch;
  const TrainResult result{
      .run_dir = s.run.path(),
      .test_accuracy = last_eval.accuracy,
      .test_loss = last_eval.loss,
      .best_test_accuracy = s.best_accuracy,
      .epochs = epochs,
      .train_images_per_second = trained > 0 ? images_per_second_sum / trained : 0};
  write_final_metrics(s, result);
  write_curves(s.run, cfg.name());
  s.run.mark_finished();
  s.log.info("done: test accuracy {:.2f}% (best {:.2f}% at epoch {}), {:.0f} train img/s",
             100 * result.test_accuracy, 100 * result.best_test_accuracy, s.best_epoch,
             result.train_images_per_second);
  return result;
}

}  // namespace camlab::experiments
