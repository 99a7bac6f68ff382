// Runs a planned sweep: every point trains into its own run directory, finished runs are skipped
// (so a sweep stopped half-way resumes where it stopped) and unfinished ones continue from their
// last checkpoint.
//
//   SweepPlan plan = plan_sweep(path, overrides, out);
//   write_sweep_record(plan);
//   std::vector<RunStatus> done = run_sweep(plan, {.parallel = 4});   // 4 child `camlab train`s
//   // done[i].outcome: Skipped (finished before), Trained, or Failed with a one-line message
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/sweep/sweep_plan.h"

namespace camlab::experiments {

struct SweepOptions {
  // 1: train one run after the other in this process. N > 1: N `camlab train` (or, for an
  // evaluation sweep, `camlab localize`) child processes at once, each with its share of the cores
  // (unless experiment.threads is set) and its output in <sweep>/logs/<label>.log.
  int parallel = 1;
  std::filesystem::path executable;  // the camlab binary for children; empty: this executable
  std::string device;                // --device for every run ("" keeps experiment.device)
  bool force = false;                // retrain finished runs too
  int progress = 0;                  // in-process runs: 1 bar, 0 plain lines, -1 ask isatty
  std::FILE* out = stdout;           // one line per run as it starts and ends; nullptr: quiet
};

enum class RunOutcome { Skipped, Trained, Evaluated, Failed };  // Evaluated: evaluation_sweep.h

struct RunStatus {
  std::string label;
  RunOutcome outcome = RunOutcome::Failed;
  std::string message;  // why it failed, or why it was skipped
};

// An evaluation sweep (plan.run set) localizes that run at each point instead, in this process or
// as `camlab localize` children (evaluation_sweep.h); a point scored earlier is skipped.
std::vector<RunStatus> run_sweep(const SweepPlan& plan, const SweepOptions& options = {});

}  // namespace camlab::experiments
