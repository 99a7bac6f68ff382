// HDF5 checkpoints (docs/formats.md, "Checkpoint"): root attributes format = "camlab-checkpoint",
// version, config (the run's TOML), epoch, step and any extra numbers; /model holds one dataset per
// parameter and buffer by PyTorch dotted name (float32; int64 for counters); /optimizer holds the
// optimizer's (and scheduler's) resumable state. Built in memory, then written to <path>.tmp,
// fsynced and renamed: a crash or a full disk never leaves a half-written file under the real name.
//
//   CheckpointInfo info{.config = toml_text, .epoch = 3, .step = 4200, .extra = {{"acc", 0.9}}};
//   save_checkpoint("run/checkpoint.h5", *model, &sgd, &schedule, info);
//   CheckpointInfo back = load_checkpoint("run/checkpoint.h5", *model, &sgd, &schedule);
//   Checkpoint raw = read_checkpoint("run/best.h5");   // just the contents
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "nn/module.h"
#include "nn/named_tensors.h"
#include "nn/optim/optimizer.h"
#include "nn/optim/scheduler.h"

namespace camlab::nn {

inline constexpr const char* kCheckpointFormat = "camlab-checkpoint";
inline constexpr int64_t kCheckpointVersion = 1;

struct CheckpointInfo {
  std::string config;  // the run's resolved TOML
  int64_t epoch = 0;
  int64_t step = 0;
  std::map<std::string, double> extra;  // more root attributes, e.g. {"best_accuracy", 0.91}
};

struct Checkpoint {
  CheckpointInfo info;
  NamedTensors model;      // Module::state_dict()
  NamedTensors optimizer;  // Optimizer::state_dict(), and the scheduler's as "scheduler.<key>"
};

// Writes atomically (see above). Any failure is an Error naming the file and what failed; the
// temporary file is removed and an existing file at `path` is left as it was.
void save_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint);
// Validates the format and version; a missing, corrupt or truncated file is one Error line
// naming the file.
Checkpoint read_checkpoint(const std::filesystem::path& path);

// The model's (and optionally optimizer's and scheduler's) state with `info`, saved as above.
void save_checkpoint(const std::filesystem::path& path, const Module& model,
                     const Optimizer* optimizer, const Scheduler* scheduler,
                     const CheckpointInfo& info);
// Restores what it is given; errors (missing/unexpected keys, shape mismatches naming the key and
// both shapes) are prefixed with the file. strict applies to the model's keys.
CheckpointInfo load_checkpoint(const std::filesystem::path& path, Module& model,
                               Optimizer* optimizer = nullptr, Scheduler* scheduler = nullptr,
                               bool strict = true);

}  // namespace camlab::nn
