#include "experiments/train/trainer.h"

#include <fmt/ranges.h>

#include <cmath>
#include <cstdio>

#include "datasets/data_loader.h"
#include "distributed/launch.h"
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
// the test set in order. Each is a per-rank batch: with N ranks a step sees N × batch_size
// images. Every rank gets its shard of the epoch's one order, padded for training (the same
// number of steps everywhere) and not for evaluation (each test image counted once).
Loaders make_loaders(const TrainingSession& s) {
  const int64_t batch_size = s.cfg.get_int("data.batch_size");
  const int64_t eval_batch = s.cfg.get_int("data.eval_batch_size") > 0
                                 ? s.cfg.get_int("data.eval_batch_size")
                                 : batch_size;
  const datasets::Sharding shard{.shards = s.comm->size(), .shard = s.comm->rank(), .pad = true};
  datasets::Sharding test_shard = shard;
  test_shard.pad = false;
  return {datasets::DataLoader(s.data.train,
                               {.batch_size = batch_size,
                                .shuffle = s.cfg.get_bool("data.shuffle"),
                                .seed = s.seed,
                                .prefetch = s.cfg.get_int("data.workers") > 0 ? 2 : 0,
                                .pin_memory = s.device.is_cuda(),
                                .sharding = shard},
                               s.data.train_pipeline),
          datasets::DataLoader(s.data.test,
                               {.batch_size = eval_batch,
                                .shuffle = false,
                                .seed = s.seed,
                                .pin_memory = s.device.is_cuda(),
                                .sharding = test_shard},
                               s.data.eval_pipeline)};
}

// Every rank must train the same experiment: a rank whose resolved config differs from rank 0's
// would diverge silently (its gradients still average in), so it is an error on every rank.
void check_same_config(distributed::Communicator& comm, const Config& cfg) {
  if (comm.size() == 1) return;
  const std::string mine = cfg.to_toml();
  const std::string main_config = distributed::broadcast_string(comm, mine, 0);
  std::vector<double> differs(static_cast<size_t>(comm.size()), 0.0);  // [ranks]
  differs[static_cast<size_t>(comm.rank())] = mine == main_config ? 0.0 : 1.0;
  comm.allreduce_sum(differs);
  std::vector<int> ranks;
  for (int r = 0; r < comm.size(); ++r) {
    if (differs[static_cast<size_t>(r)] != 0) ranks.push_back(r);
  }
  CAMLAB_CHECK(ranks.empty(),
               "distributed: the resolved config of rank(s) {} differs from rank 0's; start every "
               "rank with the same CONFIG and --set flags",
               fmt::join(ranks, ", "));
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
    if (s.is_main()) {
      nn::save_checkpoint(s.run.file("best.h5"), *s.model, nullptr, nullptr,
                          checkpoint_info(s, epoch + 1));
    }
  }
  const int64_t every = s.cfg.get_int("train.checkpoint_every");
  if (s.is_main() && ((every > 0 && (epoch + 1) % every == 0) || epoch + 1 == epochs)) {
    nn::save_checkpoint(s.run.file("checkpoint.h5"), *s.model, s.opt.optimizer.get(),
                        s.opt.scheduler.get(), checkpoint_info(s, epoch + 1));
  }
}

TrainResult train_on_ranks(const Config& cfg, const TrainOptions& options,
                           std::shared_ptr<distributed::Communicator> comm) {
  check_same_config(*comm, cfg);
  TrainingSession s(cfg, options, std::move(comm));
  const int64_t start_epoch = restore_checkpoint(s);
  if (s.data_parallel) s.data_parallel->broadcast_from_main();  // DDP: rank 0's weights
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
    if (evaluated) {
      last_eval = evaluate(*s.model, loaders.test, s.objective, s.device, 0, s.comm.get());
    }
    s.opt.scheduler->step();
    record_epoch(s, csv, epoch, stats, lr, evaluated ? &last_eval : nullptr);
    images_per_second_sum += stats.images_per_second;
  }
  // A run resumed after its last epoch still reports its test figures.
  if (!last_eval.confusion.defined() && last_eval.images == 0) {
    last_eval = evaluate(*s.model, loaders.test, s.objective, s.device, 0, s.comm.get());
  }

  const int64_t trained = epochs - start_epoch;
  const TrainResult result{
      .run_dir = s.is_main() ? s.run.path() : s.main_run,
      .test_accuracy = last_eval.accuracy,
      .test_loss = last_eval.loss,
      .best_test_accuracy = s.best_accuracy,
      .epochs = epochs,
      .train_images_per_second = trained > 0 ? images_per_second_sum / trained : 0,
      .main_rank = s.is_main()};
  if (s.is_main()) {
    write_final_metrics(s, result);
    write_curves(s.run, cfg.name());
    s.run.mark_finished();
  }
  s.log.info("done: test accuracy {:.2f}% (best {:.2f}% at epoch {}), {:.0f} train img/s",
             100 * result.test_accuracy, 100 * result.best_test_accuracy, s.best_epoch,
             result.train_images_per_second);
  return result;
}

}  // namespace

TrainResult train_experiment(const Config& cfg, const TrainOptions& options) {
  std::shared_ptr<distributed::Communicator> comm =
      options.communicator ? options.communicator
                           : distributed::make_communicator(cfg.get_string("distributed.backend"));
  if (comm->size() == 1) return train_on_ranks(cfg, options, comm);
  try {
    return train_on_ranks(cfg, options, comm);
  } catch (const std::exception& e) {
    // The other ranks may be waiting in a collective for this one: end them all now, with the
    // one line that says which rank failed and why.
    fmt::print(stderr, "error: rank {} of {} failed: {}; stopping all ranks\n", comm->rank(),
               comm->size(), e.what());
    std::fflush(stderr);
    comm->abort(1);
    throw;  // not reached: abort ends the process
  }
}

}  // namespace camlab::experiments
