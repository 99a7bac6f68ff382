// An evaluation sweep: every swept key is explain.* or localize.*, which change how a trained
// model is explained and scored but not the model, so each point runs `camlab localize` on the
// one trained run (plan.run) with its values as --set overrides, and nothing trains. The point's
// folder holds point.json (the run and overrides it was scored with) and localize/ (metrics.json,
// localize.md, localize.png), whose numbers results.csv collects as localize.methods.<m>.<metric>.
//
//   SweepPlan plan = plan_sweep("kpca.toml", {}, "", "runs/fmnist");   // [sweep] explain.* keys
//   std::vector<RunStatus> done = run_sweep(plan, {.parallel = 2});   // 2 `camlab localize`s
//   // done[i].outcome: Evaluated, Skipped (scored earlier with the same run and overrides) or
//   // Failed; plan.runs[i].dir / "localize" / "metrics.json"
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/sweep/sweep_plan.h"
#include "experiments/sweep/sweep_runner.h"

namespace camlab::experiments {

// run_sweep (sweep_runner.h) drives an evaluation sweep's points with these, in its process or
// as `camlab localize` children with --parallel N.

// True when the point's localization exists and was made from the same run and overrides.
bool scored_earlier(const SweepPlan& plan, const PlannedRun& point);
// Localizes plan.run with the point's overrides into point.dir/localize, in this process.
RunStatus localize_point(const SweepPlan& plan, const PlannedRun& point,
                         const SweepOptions& options);
// The same as arguments of a child `camlab localize`; `threads` > 0 sets experiment.threads.
std::vector<std::string> localize_args(const SweepPlan& plan, const PlannedRun& point,
                                       const SweepOptions& options, int64_t threads);
// Records what a child's localization was made from (localize_point does it itself).
void record_point(const SweepPlan& plan, const PlannedRun& point);
// Removes the record before a point is scored again, so an interrupted redo is redone next time.
void forget_point(const PlannedRun& point);

}  // namespace camlab::experiments
