// The plan of a sweep: which runs a [sweep] table asks for, where each one lives, and the record of
// it (sweep.json, config.toml) that lets `camlab sweep` resume and `camlab report` compare.
//
//   SweepPlan plan = plan_sweep("experiments/configs/ablation-width-depth.toml", {}, "");
//   // plan.dir == "runs/ablation-width-depth-sweep", plan.keys == {"model.blocks.unit[0].out",
//   ...} for (const PlannedRun& run : plan.runs) train(run.overrides, plan.dir / run.label);
//   write_sweep_record(plan);   // sweep.json + config.toml in plan.dir
//   // [sweep] "explain.kpcacam.kernel" = ["rbf", "poly"] only: plan.run == "runs/<name>", and
//   // each point localizes that run's checkpoint instead of training (evaluation_sweep.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/config/config.h"

namespace camlab::experiments {

struct PlannedRun {
  std::string label;                   // "out=16,repeat=1,type=batchnorm": the folder name
  std::vector<std::string> values;     // the TOML text of each swept value, in `keys` order
  std::vector<std::string> overrides;  // user --set overrides, then the point's "key=value"
  std::filesystem::path dir;           // plan.dir / label
};

struct SweepPlan {
  std::string config_path;                  // the TOML file as given
  std::vector<std::string> user_overrides;  // --set given to `camlab sweep`
  std::string name;                         // experiment.name
  std::string mode;                         // grid | zip
  std::vector<std::string> keys;            // swept keys, as written in [sweep]
  std::filesystem::path dir;                // the sweep folder
  std::vector<PlannedRun> runs;
  std::string base_toml;  // the resolved config without the sweep values
  // An evaluation sweep (every key explain.* or localize.*): the trained run (folder or checkpoint
  // .h5) that each point localizes with its values, nothing trained. Empty: each point trains.
  std::filesystem::path run;
};

// Loads the config (ConfigError on a bad file), expands [sweep] and checks that every point is a
// valid config before anything runs. `out` empty: runs/<experiment.name>-sweep. An error when the
// config has no [sweep] keys or `out` holds something that is not a sweep.
// When every swept key is explain.* or localize.*, retraining would give the same model, so the
// plan evaluates a trained run instead: `run`, or runs/<experiment.name> when `run` is empty (an
// error unless it is a finished run or a checkpoint). `run` with a key that changes the model
// (train.*, model.*, ...) is an error.
SweepPlan plan_sweep(const std::string& config_path, const std::vector<std::string>& overrides,
                     const std::filesystem::path& out, const std::filesystem::path& run = {});

// True for the keys that change only how a trained model is explained or scored.
bool is_evaluation_key(const std::string& key);

// sweep.json (name, mode, keys, runs with label, values, overrides) and config.toml, atomically.
void write_sweep_record(const SweepPlan& plan);

// The record back from a sweep folder; runs[i].dir is absolute under `dir`.
SweepPlan read_sweep_record(const std::filesystem::path& dir);
bool is_sweep_dir(const std::filesystem::path& dir);

}  // namespace camlab::experiments
