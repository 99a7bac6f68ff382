// `camlab train`: a config in, a run directory out.
//
//   Config cfg = load_config("experiments/configs/fmnist-gapnet.toml", {"train.epochs=2"});
//   TrainResult r = train_experiment(cfg, {.out = "runs/quick"});
//   fmt::print("{:.2f}%\n", 100 * r.test_accuracy);
//   // runs/quick: config.toml checkpoint.h5 best.h5 metrics.csv metrics.json log.txt curves.png
//
// Every random choice is a pure function of (seed, epoch, step): the data order, augmentation and
// dropout masks. So `resume` after a crash mid-epoch restarts that epoch from the last checkpoint
// and reaches exactly the weights of an uninterrupted run.
//
// Under `mpirun -np N camlab train CONFIG` each rank trains on its shard of every batch and the
// gradients are averaged (distributed/data_parallel.h); rank 0 alone writes the run directory.
// A rank that raises prints one line naming itself and ends every rank (MPI_Abort).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "experiments/config/config.h"

namespace camlab::distributed {
class Communicator;
}

namespace camlab::experiments {

struct TrainOptions {
  std::filesystem::path out;         // run directory; empty: runs/<experiment.name>
  std::string device;                // overrides experiment.device when set
  bool resume = false;               // continue the run in `out` from its checkpoint
  bool force = false;                // start over in an existing run directory
  int progress = -1;                 // 1 bar, 0 plain lines, -1 ask isatty
  std::vector<std::string> command;  // the command line, recorded in run_info.json
  // Tests simulate a crash: stop (throwing TrainingInterrupted) after this many steps in all.
  int64_t interrupt_after_steps = 0;
  // The ranks to train on; null: make_communicator([distributed] backend), which is MPI under
  // mpirun/srun and this process alone otherwise (docs/distributed.md).
  std::shared_ptr<distributed::Communicator> communicator;
};

struct TrainResult {
  std::filesystem::path run_dir;  // rank 0's, on every rank
  double test_accuracy = 0;
  double test_loss = 0;
  double best_test_accuracy = 0;
  int64_t epochs = 0;
  double train_images_per_second = 0;
  bool main_rank = true;  // false on ranks other than 0 of a data-parallel run: they stay quiet
};

// Thrown by the interrupt_after_steps test hook.
class TrainingInterrupted : public Error {
 public:
  using Error::Error;
};

TrainResult train_experiment(const Config& cfg, const TrainOptions& options = {});

}  // namespace camlab::experiments
