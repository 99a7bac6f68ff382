// Everything one `camlab train` run holds while it trains: the opened run directory and its log,
// the device, the data, the model, the optimizer and scheduler, the objective, and the counters a
// checkpoint restores.
//
//   TrainingSession s(cfg, {.out = "runs/quick"});   // opens the run, loads data, builds the model
//   const int64_t first_epoch = restore_checkpoint(s); // 0, or the epochs a resumed run has done
//   nn::save_checkpoint(s.run.file("checkpoint.h5"), *s.model, s.opt.optimizer.get(),
//                       s.opt.scheduler.get(), checkpoint_info(s, first_epoch));
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "distributed/communicator.h"
#include "distributed/data_parallel.h"
#include "experiments/config/config.h"
#include "experiments/run/logger.h"
#include "experiments/run/run_dir.h"
#include "experiments/train/device_choice.h"
#include "experiments/train/experiment_data.h"
#include "experiments/train/objective.h"
#include "experiments/train/optimization.h"
#include "experiments/train/trainer.h"
#include "nn/checkpoint.h"
#include "nn/dropout.h"
#include "nn/sequential.h"

namespace camlab::experiments {

// A rank other than 0 writes its (unused) run files here, removed when the session ends.
struct RankScratch {
  std::filesystem::path path;  // empty on rank 0
  explicit RankScratch(const distributed::Communicator& comm);
  RankScratch(const RankScratch&) = delete;
  RankScratch& operator=(const RankScratch&) = delete;
  ~RankScratch();
};

struct TrainingSession {
  // Sets the thread count, picks the device, opens (or resumes) the run directory, records the
  // config and run_info.json, loads the data and builds the model from the experiment's seed.
  // With several ranks, rank 0 opens the run directory and every rank checks that its config is
  // rank 0's; the others keep their files in a scratch folder.
  TrainingSession(const Config& cfg, const TrainOptions& options,
                  std::shared_ptr<distributed::Communicator> comm);

  bool is_main() const { return comm->is_main(); }

  const Config& cfg;
  const TrainOptions& options;
  std::shared_ptr<distributed::Communicator> comm;
  DeviceChoice device_choice;  // chosen before the run directory opens: a bad device leaves none
  Device device;
  RankScratch scratch;  // before `run`, so it is removed after run's lock is released
  RunDir run;
  Logger log;
  std::filesystem::path main_run;  // rank 0's run directory, the one that holds checkpoints
  bool resumed = false;            // rank 0's run was resumed
  ExperimentData data;
  std::shared_ptr<nn::Module> model;  // the config's Sequential, or a fine-tuned nn::Graph
  Optimization opt;
  Objective objective;
  std::vector<nn::Dropout*> dropouts;  // reseeded every step (see train_epoch.h)
  // Averages gradients over the ranks; null when there is one.
  std::unique_ptr<distributed::DataParallel> data_parallel;
  uint64_t seed = 0;
  int64_t global_step = 0;    // optimizer steps taken, over all epochs
  double best_accuracy = -1;  // best test accuracy so far; -1 before the first evaluation
  int64_t best_epoch = 0;
};

// Loads the run's checkpoint.h5 into a resumed session (weights, optimizer, scheduler, step, best
// accuracy) and returns the epochs it had finished; 0 for a fresh run.
int64_t restore_checkpoint(TrainingSession& s);

// What a checkpoint records besides the tensors: the config, progress and the best accuracy.
nn::CheckpointInfo checkpoint_info(const TrainingSession& s, int64_t epochs_done);

int64_t count_parameters(const nn::Module& model);

}  // namespace camlab::experiments
